import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// The control API as a service: Hummingbird on the Unix socket `configuration.socket` (mode 0660, the
/// operators' group) and, when `control.tcp_port` is set, on 127.0.0.1 behind a bearer token.
public struct ControlServer: Service {
    /// Where the server listens once it is up.
    public enum Listener: Sendable, Hashable {
        case unixSocket(path: String)
        case tcp(port: Int)
    }

    public enum StartError: Error, CustomStringConvertible, Equatable {
        case missingToken(variable: String?)

        public var description: String {
            switch self {
            case .missingToken(let variable?):
                "control.tcp_port is set but the token variable \(variable) (control.token_env) is unset or empty; refusing to listen on TCP without a token"
            case .missingToken(nil):
                "control.tcp_port is set without control.token_env; refusing to listen on TCP without a bearer token"
            }
        }
    }

    /// Whether a daemon answers on the socket at `path`; nil when it does, else why not. The CLI asks first:
    /// an HTTP client would keep retrying a refused connection until its deadline.
    public static func unreachableReason(socket path: String) -> String? {
        switch ControlSocketFile.probe(path: path) {
        case .answered: nil
        case .refused: "connection refused (a stale socket: no daemon is running)"
        case .failed(let reason): reason
        }
    }

    let daemon: Daemon
    let onListening: @Sendable (Listener) -> Void

    /// `onListening` is called once per listener when it accepts connections (tests wait for it).
    public init(daemon: Daemon, onListening: @escaping @Sendable (Listener) -> Void = { _ in }) {
        self.daemon = daemon
        self.onListening = onListening
    }

    public func run() async throws {
        let settings = daemon.configuration.control
        let path = daemon.configuration.socket
        let logger = daemon.logger
        var token: String?
        if settings.tcpPort != nil {
            guard let variable = settings.tokenEnv else { throw StartError.missingToken(variable: nil) }
            guard let value = daemon.options.environment[variable], !value.isEmpty else { throw StartError.missingToken(variable: variable) }
            token = value
        }
        try ControlSocketFile.prepare(path: path, logger: logger)
        defer { ControlSocketFile.remove(path: path) }

        let api = ControlAPI(daemon: daemon)
        let onListening = self.onListening
        let unix = Application(
            router: api.router(bearerToken: nil),
            configuration: ApplicationConfiguration(address: .unixDomainSocket(path: path)),
            onServerRunning: { _ in
                ControlSocketFile.applyPermissions(path: path, group: settings.socketGroup, logger: logger)
                logger.info("control API listening", metadata: ["socket": "\(path)"])
                onListening(.unixSocket(path: path))
            },
            logger: logger
        )
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await unix.run() }
            if let port = settings.tcpPort, let token {
                let tcp = Application(
                    router: api.router(bearerToken: token),
                    configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: port)),
                    onServerRunning: { channel in
                        let bound = channel.localAddress?.port ?? port
                        logger.info("control API listening on loopback TCP (bearer token required)", metadata: ["port": "\(bound)"])
                        onListening(.tcp(port: bound))
                    },
                    logger: logger
                )
                group.addTask { try await tcp.run() }
            }
        }
    }
}
