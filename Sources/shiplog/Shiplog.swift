import ArgumentParser

@main
struct Shiplog: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The deployment ledger for AWS ECS.")
}
