#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// The other end of a Unix socket connection, as the kernel reports it (Linux `struct ucred`, filled by
/// `getsockopt(SO_PEERCRED)`): the caller cannot lie about it, unlike an `actor` field in a body.
struct PeerCredentials: Sendable, Hashable {
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0

    /// Reads SO_PEERCRED through NIO's socket option seam (the channel's file descriptor stays NIO's).
    static func of(_ channel: any Channel) async -> PeerCredentials? {
        #if os(Linux)
        guard let provider = channel as? any SocketOptionProvider else { return nil }
        let level = SocketOptionLevel(SOL_SOCKET)
        let name = SocketOptionName(SO_PEERCRED)
        let future: EventLoopFuture<PeerCredentials> = provider.unsafeGetSocketOption(level: level, name: name)
        return try? await future.get()
        #else
        return nil
        #endif
    }

    /// The user name of `uid` from the password database (getpwuid_r: thread-safe).
    static func userName(uid: UInt32) -> String? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        let status = getpwuid_r(uid_t(uid), &entry, &buffer, buffer.count, &result)
        guard status == 0, result != nil, let name = entry.pw_name else { return nil }
        return String(cString: name)
    }
}
