import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The demo's configuration written the way an operator would write it — a TOML file plus a 0600 secrets
/// file — so `demo` loads it through the same loader as `run`.
enum DemoConfigFiles {
    static let heartbeatSource = "bot7"
    static let heartbeatTimeout = "1s"

    /// Writes `killswitch.toml` and `secrets.toml` into `directory`; returns the config path.
    static func write(directory: String, simURL: String) throws -> String {
        var toml = """
            # Written by `killswitch demo`: five venue accounts on the in-process simulator, one dead-man's switch.
            database = "\(directory)/killswitch.db"
            socket = "\(directory)/control.sock"
            secrets_file = "secrets.toml"

            [engine]
            incident_deadline = "60s"
            retry_initial = "50ms"
            retry_max = "1s"
            safety_margin = 0
            escalate_after = 3
            # The demo shows the fan-out by id: every order its own answer, the orders the bot never reported
            # found by the final listing. "auto" (the default) would take most venues with one cancel-all.
            strategy = "by-id"

            [control]
            socket_group = "\(currentGroupName())"

            [[rules]]
            id = "bot7-alive"
            type = "heartbeat"
            source = "\(heartbeatSource)"
            timeout = "\(heartbeatTimeout)"
            grace = "2s"

            """
        var secrets = "# Simulator demo credentials (not real keys).\n"
        for venue in DemoBook.venues {
            toml += "\n[[venues]]\nid = \"\(venue.id)\"\nkind = \"\(venue.kind.rawValue)\"\naccount = \"main\"\nbase_url = \"\(simURL)\"\nrequest_timeout = \"3s\"\n"
            if let v = venue.settle { toml += "settle = \"\(v)\"\n" }
            if let v = venue.productType { toml += "product_type = \"\(v)\"\n" }
            if let v = venue.marginCoin { toml += "margin_coin = \"\(v)\"\n" }
            if let v = venue.accountId { toml += "account_id = \"\(v)\"\n" }
            if let v = venue.gateAccount { toml += "gate_account = \"\(v)\"\n" }
            secrets += "\n[\(venue.id)]\nkey = \"\(DemoBook.apiKey)\"\nsecret = \"test-api-secret\"\n"
            if venue.kind == .bitgetMix { secrets += "passphrase = \"test-passphrase\"\n" }
        }
        let config = directory + "/killswitch.toml"
        let secretsPath = directory + "/secrets.toml"
        try toml.write(toFile: config, atomically: true, encoding: .utf8)
        // Created 0600 from the start: the secrets never sit in a wider-readable file, even briefly.
        let fd = open(secretsPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: secretsPath]) }
        defer { close(fd) }
        let bytes = Array(secrets.utf8)
        guard Glibc.write(fd, bytes, bytes.count) == bytes.count else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: secretsPath]) }
        return config
    }

    /// The demo runs as whoever started it: its socket belongs to that user's own group.
    static func currentGroupName() -> String {
        guard let group = getgrgid(getgid()), let name = group.pointee.gr_name else { return "killswitch" }
        return String(cString: name)
    }
}
