/// `${NAME}` in a path-valued key (`secrets_file`), replaced by the environment variable NAME when the
/// credentials are resolved — so `secrets_file = "${CREDENTIALS_DIRECTORY}/secrets.toml"` finds the copy
/// systemd's `LoadCredential=` made for this run of the service. Only the braced form is expanded; a `$` not
/// followed by `{` is kept as it is. The syntax is checked when the file is parsed, the variables when the
/// credentials are resolved (`run`, `config check`), each error naming the key and the variable.
public enum EnvironmentExpansion {
    public enum Problem: Error, Sendable, Hashable, CustomStringConvertible {
        case unterminated
        case invalidName(String)
        case unset(String)

        public var description: String {
            switch self {
            case .unterminated: "\"${\" without a closing \"}\""
            case .invalidName(let name): "\"${\(name)}\" is not a variable name (letters, digits and _, not starting with a digit)"
            case .unset(let name):
                name == "CREDENTIALS_DIRECTORY"
                    ? "environment variable CREDENTIALS_DIRECTORY is not set (systemd sets it for a unit with LoadCredential=; outside systemd, set it or give a plain path)"
                    : "environment variable \(name) is not set"
            }
        }
    }

    /// The text with every `${NAME}` replaced by the variable's value; an unset or empty variable is an error
    /// (an empty CREDENTIALS_DIRECTORY would silently turn the path into `/secrets.toml`).
    public static func expand(_ text: String, environment: [String: String]) throws(Problem) -> String {
        var out = ""
        for piece in try pieces(text) {
            switch piece {
            case .literal(let literal): out += literal
            case .variable(let name):
                guard let value = environment[name], !value.isEmpty else { throw .unset(name) }
                out += value
            }
        }
        return out
    }

    /// Checks the syntax only (parse time, before any environment is known).
    public static func validate(_ text: String) throws(Problem) {
        _ = try pieces(text)
    }

    enum Piece: Equatable {
        case literal(String)
        case variable(String)
    }

    static func pieces(_ text: String) throws(Problem) -> [Piece] {
        var pieces: [Piece] = []
        var rest = Substring(text)
        while let dollar = rest.range(of: "${") {
            if dollar.lowerBound > rest.startIndex { pieces.append(.literal(String(rest[..<dollar.lowerBound]))) }
            guard let close = rest[dollar.upperBound...].firstIndex(of: "}") else { throw .unterminated }
            let name = String(rest[dollar.upperBound..<close])
            guard isVariableName(name) else { throw .invalidName(name) }
            pieces.append(.variable(name))
            rest = rest[rest.index(after: close)...]
        }
        if !rest.isEmpty { pieces.append(.literal(String(rest))) }
        return pieces
    }

    static func isVariableName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }
}
