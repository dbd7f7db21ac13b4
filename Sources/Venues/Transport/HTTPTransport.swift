import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Why no usable HTTP answer came. The description never holds a URL query (HTX puts the key there).
public struct TransportFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String
    /// Whether the request may have reached the venue (false only when we know it never left).
    public var wasSent: Bool
}

/// Sends `SignedRequest`s over the one shared, keep-alive `HTTPClient`, exactly as built, with a
/// whole-request timeout.
struct HTTPTransport: Sendable {
    let client: HTTPClient
    let timeoutMilliseconds: Int64
    let maxResponseBytes: Int

    static let backstopGraceMilliseconds: Int64 = 150

    func send(_ signed: SignedRequest) async -> Result<VenueHTTPAnswer, TransportFailure> {
        var building = HTTPClientRequest(url: signed.url)
        building.method = HTTPMethod(rawValue: signed.method)
        for field in signed.headers { building.headers.add(name: field.name, value: field.value) }
        if let body = signed.body { building.body = .bytes(ByteBuffer(string: body)) }
        let request = building
        let client = client
        let maxBytes = maxResponseBytes
        let timeout = timeoutMilliseconds
        do {
            return .success(try await withThrowingTaskGroup(of: VenueHTTPAnswer?.self) { group in
                group.addTask {
                    let response = try await client.execute(request, timeout: .milliseconds(timeout))
                    let buffer = try await response.body.collect(upTo: maxBytes)
                    let headers = response.headers.map { HTTPField($0.name, $0.value) }
                    return VenueHTTPAnswer(status: Int(response.status.code), headers: headers, body: String(buffer: buffer))
                }
                group.addTask {
                    // A backstop covering the body read too. It fires a little after the client's own
                    // deadline so that the client's error (which says whether a connection was ever made)
                    // wins whenever the client reports one.
                    try await Task.sleep(for: .milliseconds(timeout + HTTPTransport.backstopGraceMilliseconds))
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let answer = first else {
                    throw TransportFailure(description: "no answer within \(timeout) ms", wasSent: true)
                }
                return answer
            })
        } catch let failure as TransportFailure {
            return .failure(failure)
        } catch {
            return .failure(TransportFailure(description: HTTPTransport.describe(error), wasSent: HTTPTransport.wasSent(error)))
        }
    }

    /// Connection-level failures mean the request never left; anything later may have reached the venue.
    static func wasSent(_ error: any Error) -> Bool {
        if let e = error as? HTTPClientError {
            if e == .connectTimeout || e == .invalidURL || e == .emptyHost || e == .emptyScheme {
                return false
            }
            return true
        }
        if case .connectTimeout? = error as? ChannelError { return false }
        if let io = error as? IOError, io.errnoCode == ECONNREFUSED { return false }
        let name = String(reflecting: type(of: error))
        if name.contains("NIOConnectionError") || name.contains("SingleConnectionFailure") { return false }
        let text = String(describing: error).lowercased()
        return !(text.contains("connection refused") || text.contains("connectionrefused"))
    }

    /// An error's text with any URL query removed (HTX's query carries the key).
    static func describe(_ error: any Error) -> String {
        var text = String(describing: error)
        while let q = text.firstIndex(of: "?"), let end = text[q...].firstIndex(where: { $0 == " " || $0 == "\"" || $0 == ")" }) {
            text.replaceSubrange(q..<end, with: "")
        }
        if let q = text.firstIndex(of: "?") { text = String(text[..<q]) }
        return text
    }
}
