import Foundation

/// A venue's configured base URL split into what request building needs: the URL prefix to append paths
/// to, and the Host header value actually sent (lower case, `:port` only when not the scheme's default —
/// HTX signs exactly that value).
public struct VenueBaseURL: Sendable, Hashable {
    /// `scheme://host[:port]` as configured (host lower-cased), no trailing slash.
    public var origin: String
    /// The configured path prefix without a trailing slash (often empty).
    public var pathPrefix: String
    /// The Host header value: lower-case host, `:port` when non-default.
    public var hostHeader: String

    public init(_ baseURL: String) throws {
        guard let components = URLComponents(string: baseURL),
              let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = components.host?.lowercased(), !host.isEmpty
        else {
            throw VenueRequestError.invalidBaseURL(baseURL)
        }
        let defaultPort = scheme == "https" ? 443 : 80
        let hostPart = host.contains(":") ? "[\(host)]" : host
        if let port = components.port, port != defaultPort {
            hostHeader = "\(hostPart):\(port)"
        } else {
            hostHeader = hostPart
        }
        let portSuffix = components.port.map { ":\($0)" } ?? ""
        origin = "\(scheme)://\(hostPart)\(portSuffix)"
        var prefix = components.percentEncodedPath
        while prefix.hasSuffix("/") { prefix.removeLast() }
        pathPrefix = prefix
    }

    /// The base with a known API-root suffix removed (Gate's `…/api/v4` is part of every signed path, so
    /// `https://api.gateio.ws/api/v4` and `https://api.gateio.ws` both work).
    func removingPathSuffix(_ suffix: String) -> VenueBaseURL {
        var copy = self
        if copy.pathPrefix.hasSuffix(suffix) { copy.pathPrefix.removeLast(suffix.count) }
        return copy
    }
}

/// Why a request could not be built. Never carries a secret.
public enum VenueRequestError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalidBaseURL(String)
    case missingMarketParameter(String)
    case emptyBatch
    case batchTooLarge(count: Int, limit: Int)
    case mixedSymbols
    case invalidOrderId(String)
    case unsupported(String)

    public var description: String {
        switch self {
        case .invalidBaseURL(let url): "invalid base URL \"\(url)\""
        case .missingMarketParameter(let name): "the venue's configuration lacks \(name)"
        case .emptyBatch: "empty batch"
        case .batchTooLarge(let count, let limit): "batch of \(count) orders exceeds the venue limit \(limit)"
        case .mixedSymbols: "this venue takes one symbol per batch"
        case .invalidOrderId(let id): "order id \"\(id)\" is not valid for this venue"
        case .unsupported(let what): "not supported: \(what)"
        }
    }
}
