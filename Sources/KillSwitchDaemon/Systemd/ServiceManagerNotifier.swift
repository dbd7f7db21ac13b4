#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// sd_notify(3) without libsystemd: one datagram per message to the Unix socket systemd names in
/// `NOTIFY_SOCKET` — a path, or an abstract name written `@name`. The messages are `KEY=VALUE` lines
/// (`READY=1`, `WATCHDOG=1`, `STOPPING=1`, `STATUS=…`). systemd learns the sender from the kernel
/// (SCM_CREDENTIALS), so only this process (`NotifyAccess=main`) is heard.
final class ServiceManagerNotifier: Sendable {
    enum Failure: Error, CustomStringConvertible, Equatable {
        case unsupportedAddress(String)
        case socket(String)

        var description: String {
            switch self {
            case .unsupportedAddress(let address): "NOTIFY_SOCKET=\(address): only a socket path or an @abstract name is supported"
            case .socket(let reason): "cannot create the notification socket: \(reason)"
            }
        }
    }

    /// The variable's value, for logs.
    let address: String
    private let descriptor: Int32
    private let socketAddress: sockaddr_un
    private let socketAddressLength: socklen_t

    /// Nil when `NOTIFY_SOCKET` is unset or empty (not started by systemd as `Type=notify`): nothing to tell.
    convenience init?(environment: [String: String]) throws(Failure) {
        guard let address = environment["NOTIFY_SOCKET"], !address.isEmpty else { return nil }
        try self.init(address: address)
    }

    init(address: String) throws(Failure) {
        let bytes = Array(address.utf8)
        var socketAddress = sockaddr_un()
        socketAddress.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: socketAddress.sun_path)
        let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \.sun_path) ?? 2
        let length: Int
        if bytes.first == UInt8(ascii: "@") {
            // Abstract namespace: a leading NUL, then the name; the length counts exactly those bytes.
            guard bytes.count <= capacity else { throw .unsupportedAddress(address) }
            withUnsafeMutableBytes(of: &socketAddress.sun_path) { raw in
                raw[0] = 0
                for (index, byte) in bytes.dropFirst().enumerated() { raw[index + 1] = byte }
            }
            length = pathOffset + bytes.count
        } else if bytes.first == UInt8(ascii: "/") {
            guard bytes.count < capacity else { throw .unsupportedAddress(address) }
            withUnsafeMutableBytes(of: &socketAddress.sun_path) { raw in
                raw.copyBytes(from: bytes)
                raw[bytes.count] = 0
            }
            length = pathOffset + bytes.count + 1
        } else {
            // e.g. systemd's vsock: addresses for virtual machines.
            throw .unsupportedAddress(address)
        }
        #if os(Linux)
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
        let descriptor = socket(AF_UNIX, SOCK_DGRAM, 0)
        #endif
        guard descriptor >= 0 else { throw .socket(String(cString: strerror(errno))) }
        self.address = address
        self.descriptor = descriptor
        self.socketAddress = socketAddress
        self.socketAddressLength = socklen_t(length)
    }

    deinit { close(descriptor) }

    /// Sends one message; never blocks (a service manager that stopped reading must not stall the daemon).
    /// Returns the error text when it could not be sent.
    @discardableResult
    func send(_ message: String) -> String? {
        let bytes = Array(message.utf8)
        var address = socketAddress
        let sent = bytes.withUnsafeBytes { buffer in
            withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(descriptor, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL), $0, socketAddressLength)
                }
            }
        }
        return sent == bytes.count ? nil : String(cString: strerror(errno))
    }

    /// The watchdog ping interval systemd asks of this process: half `WATCHDOG_USEC` (as sd_watchdog_enabled
    /// advises), nil when no watchdog is set or `WATCHDOG_PID` names another process.
    static func watchdogPingInterval(environment: [String: String], pid: Int32 = getpid()) -> Duration? {
        guard let text = environment["WATCHDOG_USEC"], let microseconds = UInt64(text), microseconds > 0 else { return nil }
        if let owner = environment["WATCHDOG_PID"], !owner.isEmpty, Int32(owner) != pid { return nil }
        return .microseconds(Int64(clamping: microseconds / 2))
    }
}
