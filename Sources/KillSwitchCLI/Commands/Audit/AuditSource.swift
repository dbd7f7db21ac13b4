import ArgumentParser
import Foundation
import KillSwitchStore

/// Opens the database read-only for an audit command and turns failures into the CLI's exit codes:
/// a missing database or unknown incident is a failure (1), a bad `--outcome` a usage error (64).
enum AuditSource {
    static func query<T>(_ global: GlobalOptions, _ body: (StoreReader) throws -> T) throws -> T {
        let path = try global.databasePath()
        do {
            return try body(StoreReader(path: path))
        } catch let error as AuditError {
            CLIOutput.error(error.description)
            throw ExitCode(ExitCodes.failure)
        } catch {
            CLIOutput.error("\(error)")
            throw ExitCode(ExitCodes.failure)
        }
    }

    /// JSON for audit listings: typed values (numbers stay numbers), keys sorted, one document.
    static func json<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let text = (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
        return text == "[\n\n]" ? "[]" : text
    }

    static func milliseconds(_ value: Int64?) -> String? {
        value.map { "\($0) ms" }
    }

    static func microsecondsAsMilliseconds(_ value: Int64?) -> String? {
        value.map { String(format: "%.1f ms", Double($0) / 1_000) }
    }

    static func counts(_ counts: [String: Int]) -> String {
        counts.isEmpty ? "-" : counts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }
}
