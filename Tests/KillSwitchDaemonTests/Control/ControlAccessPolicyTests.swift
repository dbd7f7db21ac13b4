#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import KillSwitchDaemon

/// Roles from the kernel's view of a peer, and reading that view (SO_PEERGROUPS) correctly.
@Suite struct ControlAccessPolicyTests {
    static let policy = ControlAccessPolicy(socketGroup: .init(name: "killswitch", gid: 900), operatorGroup: .init(name: "killswitch-operators", gid: 901),
                                            daemonUid: 999)

    @Test func rolesFollowTheGroupsTheKernelReports() {
        let policy = Self.policy
        #expect(policy.role(uid: 1001, gid: 1001, groups: [900]) == .bot)
        #expect(policy.role(uid: 1002, gid: 1002, groups: [900, 901]) == .operator)
        // A primary group counts as much as a supplementary one.
        #expect(policy.role(uid: 1003, gid: 901, groups: []) == .operator)
        #expect(policy.role(uid: 1004, gid: 900, groups: [27]) == .bot)
        // In neither group (reached the socket some other way): only a trip.
        #expect(policy.role(uid: 1005, gid: 1005, groups: [27, 100]) == .anyone)
        // Root and the daemon's own user can stop the daemon and write its database anyway.
        #expect(policy.role(uid: 0, gid: 0, groups: []) == .operator)
        #expect(policy.role(uid: 999, gid: 999, groups: []) == .operator)
        // An operator group that does not exist grants nothing.
        let noOperators = ControlAccessPolicy(socketGroup: policy.socketGroup, operatorGroup: .init(name: "missing", gid: nil), daemonUid: 999)
        #expect(noOperators.role(uid: 1002, gid: 1002, groups: [900, 901]) == .bot)
        #expect(ControlRole.anyone < .bot && ControlRole.bot < .operator)
    }

    @Test func theRefusalNamesWhatWouldGrantIt() {
        let socket = RequireRoleMiddleware(role: .operator, policy: Self.policy)
        let bot = ControlCaller(name: "bot7", uid: 1001, role: .bot, via: .unixSocket)
        #expect(socket.requirement(for: bot) == "requires membership of group 'killswitch-operators' (caller: bot7, uid 1001)")
        #expect(RequireRoleMiddleware(role: .bot, policy: Self.policy).requirement(for: .unidentifiedPeer)
                == "requires membership of group 'killswitch' (caller: credentials unreadable)")
        let tcp = RequireRoleMiddleware(role: .operator, policy: nil)
        #expect(tcp.requirement(for: ControlCaller(name: "tcp-bot", uid: nil, role: .bot, via: .tcpToken))
                == "requires the operator token (control.operator_token_env); this request carried the tcp-bot token")
    }

    @Test func zeroFillIsNotAGroup() {
        #expect(PeerGroups.decode([0, 0, 0, 0]) == [])
        #expect(PeerGroups.decode([4, 24, 27, 0, 0]) == [4, 24, 27])
        // Sorted by the kernel: a real gid 0 comes first and survives.
        #expect(PeerGroups.decode([0, 27, 0]) == [0, 27])
    }

    /// SO_PEERGROUPS on a socket pair reports this process's own groups, and the buffer NIO reads into
    /// decodes to exactly those.
    @Test func theKernelsListDecodesToOurGroups() throws {
        var pair: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0)
        defer {
            close(pair[0])
            close(pair[1])
        }
        var buffer = PeerGroups.PeerGroupBuffer()
        var length = socklen_t(MemoryLayout<PeerGroups.PeerGroupBuffer>.size)
        let status = withUnsafeMutableBytes(of: &buffer) { getsockopt(pair[0], SOL_SOCKET, PeerGroups.socketOption, $0.baseAddress, &length) }
        try #require(status == 0, "SO_PEERGROUPS: \(String(cString: strerror(errno)))")
        var own = [gid_t](repeating: 0, count: 256)
        let count = getgroups(Int32(own.count), &own)
        #expect(Int(length) == Int(count) * MemoryLayout<gid_t>.size)
        let expected = own.prefix(Int(count)).map { UInt32($0) }.sorted()
        #expect(PeerGroups.decode(buffer.gids) == (expected.allSatisfy { $0 == 0 } ? [] : expected))
    }

    @Test func theGroupDatabaseFallbackListsThePrimaryGroup() throws {
        let me = try #require(getpwuid(getuid()))
        let name = String(cString: me.pointee.pw_name)
        let groups = PeerGroups.fromGroupDatabase(user: name, primaryGid: me.pointee.pw_gid)
        #expect(groups.contains(me.pointee.pw_gid))
    }
}
