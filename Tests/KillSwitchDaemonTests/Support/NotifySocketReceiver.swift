#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A datagram socket standing in for systemd's notification socket (`NOTIFY_SOCKET`): bound at a path in a
/// temp folder, or in the abstract namespace when the address starts with `@`.
final class NotifySocketReceiver: @unchecked Sendable {
    let address: String
    private let descriptor: Int32

    init(address: String) throws {
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.EIO) }
        self.address = address
        var socketAddress = sockaddr_un()
        socketAddress.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(address.utf8)
        let abstract = bytes.first == UInt8(ascii: "@")
        if abstract { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &socketAddress.sun_path) { raw in
            raw.copyBytes(from: bytes)
            if !abstract { raw[bytes.count] = 0 }
        }
        let length = socklen_t(2 + bytes.count + (abstract ? 0 : 1))
        let bound = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0 else {
            let code = errno
            close(descriptor)
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
        }
    }

    deinit { close(descriptor) }

    /// A message already queued, without waiting (nil when none is).
    func pending() -> String? {
        receive(flags: Int32(MSG_DONTWAIT))
    }

    /// The next message, waiting up to `timeout` on a Dispatch thread (a blocking receive must not hold one of
    /// the few cooperative threads the daemon under test needs).
    func next(timeout: Duration = .seconds(20)) async -> String? {
        // SO_RCVTIMEO of zero means "wait forever": never less than a millisecond.
        let microseconds = max(1_000, timeout.components.seconds * 1_000_000 + timeout.components.attoseconds / 1_000_000_000_000)
        var limit = timeval(tv_sec: Int(microseconds / 1_000_000), tv_usec: Int(microseconds % 1_000_000))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: self.receive(flags: 0)) }
        }
    }

    /// Messages until one equal to `message` (returned) or the timeout; the others are dropped.
    func next(equalTo message: String, timeout: Duration = .seconds(20)) async -> [String] {
        var seen: [String] = []
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline, let received = await next(timeout: deadline - ContinuousClock.now) {
            seen.append(received)
            if received == message { break }
        }
        return seen
    }

    private func receive(flags: Int32) -> String? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(descriptor, &buffer, buffer.count, flags)
        guard count >= 0 else { return nil }
        return String(decoding: buffer.prefix(count), as: UTF8.self)
    }
}
