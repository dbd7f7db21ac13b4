#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging

/// Decides a Unix socket peer's role from what the kernel says about it: its uid, its primary gid and its
/// supplementary groups (`PeerGroups`). The two groups are resolved to gids once, when the server starts
/// (a group lookup can be slow — LDAP — and must not sit on every bot's request); membership is read per
/// connection, so `usermod -aG` takes effect for a new process of that user without a restart.
struct ControlAccessPolicy: Sendable {
    /// A group by name and, when it exists, gid.
    struct Group: Sendable, Hashable {
        var name: String
        var gid: UInt32?
    }

    /// Members may send events, heartbeats and PnL and read the gate, status and metrics. When the configured
    /// `socket_group` does not exist the socket keeps the daemon's group, and that group is this one.
    var socketGroup: Group
    /// Members may also re-arm (forced or not) and retry.
    var operatorGroup: Group
    /// The daemon's own uid: like root it is an operator (either can already stop the daemon and write its
    /// database, so refusing them would protect nothing).
    var daemonUid: UInt32

    /// Resolves the configured group names, logging a group that does not exist (nobody but root and the
    /// daemon's user is an operator then).
    static func resolve(socketGroup: String, operatorGroup: String, logger: Logger) -> ControlAccessPolicy {
        var socket = Group(name: socketGroup, gid: ControlSocketFile.groupID(named: socketGroup))
        if socket.gid == nil {
            // The socket file keeps the daemon's group (ControlSocketFile.applyPermissions): its members can connect.
            let gid = UInt32(getegid())
            socket = Group(name: groupName(gid) ?? "gid \(gid)", gid: gid)
        }
        let operators = Group(name: operatorGroup, gid: ControlSocketFile.groupID(named: operatorGroup))
        if operators.gid == nil {
            logger.warning("control operator group does not exist: only root and the daemon's own user may re-arm or retry", metadata: [
                "group": "\(operatorGroup)",
            ])
        }
        return ControlAccessPolicy(socketGroup: socket, operatorGroup: operators, daemonUid: UInt32(geteuid()))
    }

    /// The role of a peer with `uid`, primary `gid` and supplementary `groups`.
    func role(uid: UInt32, gid: UInt32, groups: [UInt32]) -> ControlRole {
        if uid == 0 || uid == daemonUid { return .operator }
        let held = Set(groups).union([gid])
        if let operators = operatorGroup.gid, held.contains(operators) { return .operator }
        if let socket = socketGroup.gid, held.contains(socket) { return .bot }
        return .anyone
    }

    /// The group whose membership `role` requires.
    func group(for role: ControlRole) -> Group? {
        switch role {
        case .anyone: nil
        case .bot: socketGroup
        case .operator: operatorGroup
        }
    }

    static func groupName(_ gid: UInt32) -> String? {
        var entry = Glibc.group()
        var result: UnsafeMutablePointer<Glibc.group>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        guard getgrgid_r(gid_t(gid), &entry, &buffer, buffer.count, &result) == 0, result != nil, let name = entry.gr_name else { return nil }
        return String(cString: name)
    }
}
