#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// The supplementary groups of the other end of a Unix socket connection.
///
/// First as the kernel reports them (`getsockopt(SO_PEERGROUPS)`, Linux 4.13+): the groups the peer process
/// held when it connected, whatever `/etc/group` says now — `setpriv --groups`, `newgrp` and a login session
/// that predates a `usermod -aG` all count as they really are. When the kernel cannot say (an older kernel,
/// or more groups than `PeerGroupBuffer` holds), from the group database for the peer's user
/// (`getgrouplist`), which is what a fresh login of that user would get.
enum PeerGroups {
    /// Linux's SO_PEERGROUPS (asm-generic/socket.h); not every libc header exports it.
    static let socketOption: Int32 = 59

    /// Room for 256 gids, the value type NIO's `unsafeGetSocketOption` reads into. NIO zero-fills it and does
    /// not return the length the kernel wrote, so trailing zeros are padding (see `decode`).
    struct PeerGroupBuffer: Sendable {
        var words: (SIMD64<UInt32>, SIMD64<UInt32>, SIMD64<UInt32>, SIMD64<UInt32>) = (.zero, .zero, .zero, .zero)

        var gids: [UInt32] {
            withUnsafeBytes(of: words) { Array($0.bindMemory(to: UInt32.self)) }
        }
    }

    /// The gids the kernel wrote into a zero-filled buffer. The kernel lists a process's groups in ascending
    /// order, so the real gid 0 (root's group) can only come first and trailing zeros are the buffer's fill.
    /// A list that is all zeros is read as no groups: gid 0 then counts only as a primary gid — membership
    /// of group 0 through a supplementary group is never granted on this path (fail closed).
    static func decode(_ words: [UInt32]) -> [UInt32] {
        guard let last = words.lastIndex(where: { $0 != 0 }) else { return [] }
        return Array(words[...last])
    }

    /// Reads SO_PEERGROUPS through NIO's socket-option seam (the descriptor stays NIO's); nil when the kernel
    /// cannot tell (ENOPROTOOPT before 4.13, ERANGE beyond 256 groups, not Linux).
    static func fromKernel(_ channel: any Channel) async -> [UInt32]? {
        #if os(Linux)
        guard let provider = channel as? any SocketOptionProvider else { return nil }
        let future: EventLoopFuture<PeerGroupBuffer> = provider.unsafeGetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(socketOption))
        guard let buffer = try? await future.get() else { return nil }
        return decode(buffer.gids)
        #else
        return nil
        #endif
    }

    /// The groups the group database gives `user` (whose primary group is `primaryGid`), via getgrouplist.
    static func fromGroupDatabase(user: String, primaryGid: UInt32) -> [UInt32] {
        var count: Int32 = 64
        while true {
            var groups = [gid_t](repeating: 0, count: Int(count))
            var found = count
            if getgrouplist(user, gid_t(primaryGid), &groups, &found) >= 0 {
                return groups.prefix(Int(found)).map { UInt32($0) }
            }
            // Too small: getgrouplist stored the number needed (it never shrinks below what we offered).
            guard found > count, found <= 65_536 else { return [primaryGid] }
            count = found
        }
    }
}
