#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Hummingbird
import NIOCore

/// Routes every request on the one port: `/_sim/` to the admin API, the rest by the venues' real path
/// prefixes. Each venue request gets an id, the fault dice, the venue's own handling, a log entry and the
/// configured delay — in that order, so latency and jitter delay only the answer.
struct SimResponder: HTTPResponder {
    typealias Context = SimRequestContext

    let core: SimCore
    let admin: AdminAPI
    let gate = GateRoutes()
    let htx = HTXRoutes()
    let bitget = BitgetRoutes()
    let binance = BinanceRoutes()

    init(core: SimCore) {
        self.core = core
        self.admin = AdminAPI(core: core)
    }

    /// Request bodies above this are refused with 413 (admin seeding sends large batches; venue bodies are small).
    static let maxBodyBytes = 256 << 20

    func venue(for path: String) -> (any VenueRoutes)? {
        if path.hasPrefix("/api/v4/") { return gate }
        if path.hasPrefix("/api/v2/") || path.hasPrefix("/api/v3/") || path.hasPrefix("/api/mix/") { return bitget }
        if path.hasPrefix("/dapi/") { return binance }
        if path.hasPrefix("/v1/") || path.hasPrefix("/v2/") { return htx }
        return nil
    }

    func respond(to request: Request, context: Context) async throws -> Response {
        let arrivalMs = core.now()
        let arrivalMicros = Int64((Date().timeIntervalSince1970 * 1_000_000).rounded())
        var request = request
        let bodyBuffer: ByteBuffer
        do {
            bodyBuffer = try await request.collectBody(upTo: Self.maxBodyBytes)
        } catch {
            return Self.response(status: 413, headers: [], body: #"{"error":"request body too large or unreadable"}"#)
        }
        let body = Array(bodyBuffer.readableBytesView)
        let path = request.uri.path

        if path == "/_sim" || path.hasPrefix("/_sim/") {
            let reply = await admin.respond(method: request.method.rawValue, path: path, query: QueryString(raw: request.uri.query ?? ""), body: body)
            return Self.response(status: reply.status, headers: [], body: reply.body)
        }
        guard let venue = venue(for: path) else {
            return Self.response(status: 404, headers: [], body: #"{"error":"no venue serves this path"}"#)
        }

        var venueRequest = VenueRequest(
            id: core.nextRequestId(),
            receivedAtMs: arrivalMs,
            method: request.method.rawValue,
            path: path,
            query: QueryString(raw: request.uri.query ?? ""),
            headers: request.headers,
            host: request.head.authority ?? "",
            body: body,
            // Only Binance needs the peer (its weight is per IP); formatting it costs on every request.
            remoteAddress: venue.exchange == "binance" ? (context.channel.remoteAddress?.ipAddress ?? "unknown") : ""
        )
        venueRequest.receivedAtMicros = arrivalMicros
        let market = venue.market(of: path)
        let configuration = core.configuration
        let roll = core.withState(now: arrivalMs) { state in
            state.faults.roll(
                exchange: venue.exchange, market: market,
                defaultLatencyMs: configuration.latencyMs, defaultJitterMs: configuration.jitterMs,
                random: &state.random
            )
        }

        var reply: VenueReply
        switch roll.outcome {
        case .reset:
            record(venueRequest, venue: venue, market: market, status: 0, verdict: "fault:reset")
            Self.reset(context.channel)
            throw ConnectionDroppedByFault()
        case .timeout:
            record(venueRequest, venue: venue, market: market, status: 0, verdict: "fault:timeout")
            await holdWithoutAnswer()
            context.channel.close(promise: nil)
            throw ConnectionDroppedByFault()
        case .serverError:
            reply = venue.serverError(for: venueRequest)
            reply.verdict = "fault:error"
        case .proceed:
            reply = venue.respond(to: venueRequest, core: core, faults: roll.active)
            if roll.malformed {
                reply.status = 200
                reply.body = Self.truncated(reply.body)
                reply.verdict = "fault:malformed"
            }
        }
        record(venueRequest, venue: venue, market: market, status: reply.status, verdict: reply.verdict, reply: reply)
        if roll.delayMs > 0 {
            try? await Task.sleep(for: .milliseconds(roll.delayMs))
        }
        return Self.response(status: reply.status, headers: reply.headers, body: reply.body)
    }

    private func record(
        _ request: VenueRequest, venue: any VenueRoutes, market: String, status: Int, verdict: String, reply: VenueReply? = nil
    ) {
        core.record(
            SimRequestLogEntry(
                id: request.id, receivedAtMs: request.receivedAtMs, receivedAtMicros: request.receivedAtMicros, exchange: venue.exchange, market: market,
                method: request.method, path: request.path, account: reply?.account ?? venue.presentedKey(request),
                status: status, verdict: verdict, orderIds: reply?.orderIds ?? [], limitKey: reply?.limitKey,
                weight: reply?.weight
            )
        )
    }

    /// A `timeoutRate` fault: keep the request unanswered (real time) until the hold ends or we shut down.
    private func holdWithoutAnswer() async {
        let deadline = ContinuousClock.now + .milliseconds(core.configuration.timeoutFaultHoldMs)
        while ContinuousClock.now < deadline, !core.shuttingDown.load(ordering: .relaxed), !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Closes the connection with a TCP reset (SO_LINGER 0), as a dropped connection looks to a client.
    private static func reset(_ channel: any Channel) {
        if let provider = channel as? any SocketOptionProvider {
            provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).whenComplete { _ in channel.close(promise: nil) }
        } else {
            channel.close(promise: nil)
        }
    }

    /// Half of the answer: never valid JSON for the venues' object and array answers.
    static func truncated(_ body: String) -> String {
        let bytes = Array(body.utf8)
        guard bytes.count > 1 else { return "{" }
        return String(decoding: bytes.prefix(bytes.count / 2), as: UTF8.self)
    }

    static func response(status: Int, headers: [(String, String)], body: String) -> Response {
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        for (name, value) in headers {
            if let fieldName = SimHTTPField.fieldName(name) { fields.append(SimHTTPField(name: fieldName, value: value)) }
        }
        return Response(
            status: HTTPResponse.Status(code: status),
            headers: fields,
            body: ResponseBody(byteBuffer: ByteBuffer(string: body))
        )
    }
}

/// Thrown after a fault closed the connection, so nothing is written.
struct ConnectionDroppedByFault: Error {}

extension VenueRoutes {
    /// The API key the request presented, for the log (before or without a successful check).
    func presentedKey(_ request: VenueRequest) -> String? {
        switch exchange {
        case "gate": return request.header("KEY")
        case "htx": return request.query.value("AccessKeyId")
        case "bitget": return request.header("ACCESS-KEY")
        case "binance": return request.header("X-MBX-APIKEY")
        default: return nil
        }
    }
}
