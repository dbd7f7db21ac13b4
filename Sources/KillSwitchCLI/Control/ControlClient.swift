import ArgumentParser
import AsyncHTTPClient
import Foundation
import KillSwitchDaemon
import NIOCore
import NIOHTTP1

/// Talks to the daemon's control API over its Unix socket (`http+unix://`), decoding the same Codable
/// types the daemon encodes.
struct ControlClient {
    enum Failure: Error, CustomStringConvertible {
        /// No daemon answered on the socket: exit 69.
        case unreachable(socket: String, reason: String)
        /// The daemon answered with an error: exit 1 with its message.
        case daemon(status: Int, message: String)
        /// The daemon answered something this CLI cannot read.
        case unreadable(String)
        /// The socket is live (a daemon accepts connections) but the answer did not come in time: slow, not
        /// gone — `trip --follow` keeps polling.
        case slow(socket: String, reason: String)

        var description: String {
            switch self {
            case .unreachable(let socket, let reason): "daemon unreachable on \(socket): \(reason)"
            case .daemon(_, let message): message
            case .unreadable(let reason): "unreadable answer from the daemon: \(reason)"
            case .slow(let socket, let reason): "the daemon on \(socket) did not answer in time: \(reason)"
            }
        }
    }

    let socketPath: String
    var timeout: TimeAmount = .seconds(15)

    func get<Answer: Decodable>(_ path: String, as type: Answer.Type) async throws -> Answer {
        try await send(path, method: .GET, body: nil, as: type)
    }

    func post<Answer: Decodable>(_ path: String, body: (some Encodable)?, as type: Answer.Type) async throws -> Answer {
        let data = try body.map { try JSONEncoder().encode($0) }
        return try await send(path, method: .POST, body: data, as: type)
    }

    private func send<Answer: Decodable>(_ path: String, method: HTTPMethod, body: Data?, as type: Answer.Type) async throws -> Answer {
        guard FileManager.default.fileExists(atPath: socketPath) else {
            throw Failure.unreachable(socket: socketPath, reason: "no socket there (is `killswitch run` running? is --socket right?)")
        }
        if let reason = ControlServer.unreachableReason(socket: socketPath) {
            throw Failure.unreachable(socket: socketPath, reason: reason == "Permission denied" ? "permission denied (callers need to be in the socket's group, [control] socket_group)" : reason)
        }
        guard let url = URL(httpURLWithSocketPath: socketPath, uri: path) else {
            throw Failure.unreachable(socket: socketPath, reason: "not a usable socket path")
        }
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response: HTTPClientResponse
        var buffer: ByteBuffer
        do {
            response = try await HTTPClient.shared.execute(request, timeout: timeout)
            buffer = try await response.body.collect(upTo: 64 << 20)
        } catch {
            // Gone, or only slow? A daemon that still accepts connections is busy, not unreachable.
            if ControlServer.unreachableReason(socket: socketPath) == nil {
                throw Failure.slow(socket: socketPath, reason: Self.describe(error))
            }
            throw Failure.unreachable(socket: socketPath, reason: Self.describe(error))
        }
        let data = buffer.readData(length: buffer.readableBytes) ?? Data()
        guard (200..<300).contains(response.status.code) else {
            let message = (try? JSONDecoder().decode(ControlErrorBody.self, from: data).error) ?? String(decoding: data, as: UTF8.self)
            throw Failure.daemon(status: Int(response.status.code), message: message.isEmpty ? "\(response.status)" : message)
        }
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw Failure.unreadable("\(error)")
        }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? IOError {
            switch error.errnoCode {
            case EACCES: return "permission denied (callers need to be in the socket's group, [control] socket_group)"
            case ECONNREFUSED: return "connection refused (a stale socket: the daemon is not running)"
            default: return error.description
            }
        }
        return "\(error)"
    }
}

/// Runs a CLI command's daemon conversation, turning failures into the documented exit codes.
func withDaemon<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let failure as ControlClient.Failure {
        CLIOutput.error(failure.description)
        switch failure {
        case .unreachable: throw ExitCode(ExitCodes.unavailable)
        case .daemon, .unreadable, .slow: throw ExitCode(ExitCodes.failure)
        }
    }
}
