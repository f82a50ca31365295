import ArgumentParser

extension ArgumentHelp {
    /// `abstract` naming the values `Value` takes: `Why the deployment happens: merge, release or manual.`
    ///
    /// The generated CLI reference (ArgumentParser's GenerateDoccReference plugin) prints an option's
    /// help text but not the `allValueStrings` that `--help` lists, so the text names them itself.
    static func choosing<Value: ExpressibleByArgument & CaseIterable>(_ abstract: String, _: Value.Type, valueName: String? = nil) -> ArgumentHelp {
        var values = Value.allValueStrings
        let last = values.removeLast()
        let list = values.isEmpty ? last : values.joined(separator: ", ") + " or " + last
        return ArgumentHelp("\(abstract): \(list).", valueName: valueName)
    }
}
