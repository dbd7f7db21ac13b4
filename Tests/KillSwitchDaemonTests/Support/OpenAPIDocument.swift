import Foundation
import KillSwitchCore
import Yams

/// docs/control-api.yaml read for tests: its operations, the statuses each documents, and a validator for the
/// subset of JSON Schema the document uses ($ref, type, properties, required, additionalProperties, items,
/// enum, const, oneOf, minimum, minLength, maxLength, pattern). Anything else in a schema fails loudly, so the
/// document cannot grow a keyword this checker silently ignores.
struct OpenAPIDocument {
    struct Operation: Hashable, CustomStringConvertible {
        var method: String
        var path: String
        var description: String { "\(method) \(path)" }
    }

    let root: [String: Any]

    /// The file in the repository (this file's path up to the package root).
    static var fileURL: URL {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            url.deleteLastPathComponent()
        }
        return url.appendingPathComponent("docs/control-api.yaml")
    }

    init(yaml: String) throws {
        guard let root = try Yams.load(yaml: yaml) as? [String: Any] else { throw Failure("the document is not a mapping") }
        self.root = root
    }

    var operations: [Operation] {
        let paths = root["paths"] as? [String: Any] ?? [:]
        return paths.flatMap { path, item in
            (item as? [String: Any] ?? [:]).keys.filter { ["get", "post", "put", "delete", "patch"].contains($0) }
                .map { Operation(method: $0.uppercased(), path: path) }
        }.sorted { $0.description < $1.description }
    }

    func operationObject(_ operation: Operation) throws -> [String: Any] {
        guard let item = (root["paths"] as? [String: Any])?[operation.path] as? [String: Any],
              let object = item[operation.method.lowercased()] as? [String: Any] else { throw Failure("\(operation) is not documented") }
        return object
    }

    /// The documented statuses of an operation.
    func statuses(_ operation: Operation) throws -> Set<Int> {
        let responses = try operationObject(operation)["responses"] as? [String: Any] ?? [:]
        return Set(responses.keys.compactMap { Int($0) })
    }

    /// The documented response (refs resolved) for a status, or nil when the status is not documented.
    func response(_ operation: Operation, status: Int) throws -> [String: Any]? {
        let responses = try operationObject(operation)["responses"] as? [String: Any] ?? [:]
        guard let response = responses[String(status)] as? [String: Any] else { return nil }
        return try resolve(response)
    }

    /// Which documented operation a concrete path is (`/v1/incidents/7/retry` → `/v1/incidents/{id}/retry`).
    func operation(method: String, concretePath: String) -> Operation? {
        let path = concretePath.split(separator: "?", maxSplits: 1).first.map(String.init) ?? concretePath
        return operations.first { operation in
            guard operation.method == method else { return false }
            let template = operation.path.split(separator: "/", omittingEmptySubsequences: false)
            let concrete = path.split(separator: "/", omittingEmptySubsequences: false)
            guard template.count == concrete.count else { return false }
            return zip(template, concrete).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
        }
    }

    func resolve(_ object: [String: Any]) throws -> [String: Any] {
        guard let reference = object["$ref"] as? String else { return object }
        guard reference.hasPrefix("#/") else { throw Failure("only local references are supported: \(reference)") }
        var node: Any = root
        for part in reference.dropFirst(2).split(separator: "/") {
            guard let next = (node as? [String: Any])?[String(part)] else { throw Failure("unresolvable reference \(reference)") }
            node = next
        }
        guard let resolved = node as? [String: Any] else { throw Failure("\(reference) is not an object") }
        return try resolve(resolved)
    }

    // MARK: Validation

    static let knownKeywords: Set<String> = [
        "$ref", "type", "properties", "required", "additionalProperties", "items", "enum", "const", "oneOf",
        "minimum", "minLength", "maxLength", "pattern", "description",
    ]

    /// Every way `value` breaks `schema`, each as "path: problem"; empty when it conforms.
    func problems(_ value: JSONValue, against schema: [String: Any], at path: String = "$") throws -> [String] {
        let schema = try resolve(schema)
        if let unknown = schema.keys.first(where: { !Self.knownKeywords.contains($0) }) {
            throw Failure("schema at \(path) uses \(unknown), which this checker does not implement")
        }
        if let options = schema["oneOf"] as? [[String: Any]] {
            let matching = try options.filter { try problems(value, against: $0, at: path).isEmpty }
            return matching.count == 1 ? [] : ["\(path): matches \(matching.count) of oneOf's \(options.count) schemas"]
        }
        var found: [String] = []
        if let types = schema["type"] {
            let allowed = (types as? [String]) ?? [types as? String].compactMap { $0 }
            guard allowed.contains(where: { Self.matches(value, type: $0) }) else {
                return ["\(path): expected \(allowed.joined(separator: " or ")), got \(value.typeName)"]
            }
        }
        if let choices = schema["enum"] as? [Any], !choices.contains(where: { Self.equal($0, value) }) {
            found.append("\(path): \(value) is not one of \(choices)")
        }
        if let constant = schema["const"], !Self.equal(constant, value) {
            found.append("\(path): \(value) is not \(constant)")
        }
        if case .string(let text) = value {
            if let minimum = schema["minLength"] as? Int, text.count < minimum { found.append("\(path): shorter than \(minimum)") }
            if let maximum = schema["maxLength"] as? Int, text.count > maximum { found.append("\(path): longer than \(maximum)") }
            if let pattern = schema["pattern"] as? String, text.range(of: pattern, options: .regularExpression) == nil {
                found.append("\(path): \"\(text)\" does not match \(pattern)")
            }
        }
        if case .number(let number, _) = value, let minimum = schema["minimum"].flatMap(Self.double), number < minimum {
            found.append("\(path): \(number) is below \(minimum)")
        }
        if case .object(let object) = value {
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for name in schema["required"] as? [String] ?? [] where object[name] == nil {
                found.append("\(path).\(name): required but absent")
            }
            for (name, member) in object.sorted(by: { $0.key < $1.key }) {
                if let property = properties[name] as? [String: Any] {
                    found += try problems(member, against: property, at: "\(path).\(name)")
                } else if let additional = schema["additionalProperties"] as? [String: Any] {
                    found += try problems(member, against: additional, at: "\(path).\(name)")
                } else if schema["additionalProperties"] as? Bool == false {
                    found.append("\(path).\(name): not in the document")
                }
            }
        }
        if case .array(let array) = value, let items = schema["items"] as? [String: Any] {
            for (index, item) in array.enumerated() { found += try problems(item, against: items, at: "\(path)[\(index)]") }
        }
        return found
    }

    static func double(_ value: Any) -> Double? {
        if let value = value as? Int { return Double(value) }
        return value as? Double
    }

    static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("null", .null), ("number", .number): true
        case ("integer", .number(_, let text)): Int64(text) != nil
        default: false
        }
    }

    static func equal(_ schemaValue: Any, _ value: JSONValue) -> Bool {
        switch value {
        case .string(let text): (schemaValue as? String) == text
        case .bool(let flag): (schemaValue as? Bool) == flag
        case .number(let number, _): double(schemaValue) == number
        default: false
        }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
