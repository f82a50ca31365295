import ArgumentParser
import CSV
import Foundation

/// How a listing is printed: a table for people, JSON or CSV for programs.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv
}

/// Rows with named columns, printable in every ``OutputFormat``.
struct Listing {
    var columns: [String]
    var rows: [[String?]]
    /// The same rows as Encodable values, for JSON (keeps numbers as numbers).
    var json: () throws -> Data

    init<Row: Encodable>(columns: [String], rows: [Row], cells: (Row) -> [String?]) {
        self.columns = columns
        self.rows = rows.map(cells)
        self.json = {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            return try encoder.encode(rows)
        }
    }

    func render(_ format: OutputFormat) throws -> String {
        switch format {
        case .table: table()
        case .json: String(decoding: try json(), as: UTF8.self)
        case .csv: try csv()
        }
    }

    private func table() -> String {
        let cells = rows.map { $0.map { $0 ?? "-" } }
        var widths = columns.map(\.count)
        for row in cells {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        func line(_ values: [String]) -> String {
            values.enumerated().map { index, value in
                index == values.count - 1 ? value : value.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        return ([line(columns.map { $0.uppercased() })] + cells.map(line)).joined(separator: "\n")
    }

    /// RFC 4180: CRLF line breaks, fields quoted where needed.
    private func csv() throws -> String {
        let writer = try CSVWriter(stream: .toMemory(), newline: .crlf)
        try writer.write(row: columns)
        for row in rows { try writer.write(row: row.map { $0 ?? "" }) }
        writer.stream.close()
        let data = writer.stream.property(forKey: .dataWrittenToMemoryStreamKey) as? Data ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}

/// Prints to standard output and flushes, so a pipe sees each line at once.
func emit(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

/// Prints a one-line message to standard error.
func complain(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
