/// A failure at run time (a file that cannot be read or written): printed as
/// one line, without the usage text a ``ValidationError`` brings.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
