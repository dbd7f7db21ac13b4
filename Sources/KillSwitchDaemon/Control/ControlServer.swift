import Hummingbird
import KillSwitchConfig
import Logging
import NIOCore
import ServiceLifecycle

/// The control API as a service: Hummingbird on the Unix socket `configuration.socket` (mode 0660, group
/// `control.socket_group`; callers identified by the kernel) and, when `control.tcp_port` is set, on
/// 127.0.0.1 behind bearer tokens (callers identified by the token).
public struct ControlServer: Service {
    /// Where the server listens once it is up.
    public enum Listener: Sendable, Hashable {
        case unixSocket(path: String)
        case tcp(port: Int)
    }

    public enum StartError: Error, CustomStringConvertible, Equatable {
        case missingToken(variable: String?)
        case missingOperatorToken(variable: String)
        case operatorTokenIsTheBotToken

        public var description: String {
            switch self {
            case .missingToken(let variable?):
                "control.tcp_port is set but the token variable \(variable) (control.token_env) is unset or empty; refusing to listen on TCP without a token"
            case .missingToken(nil):
                "control.tcp_port is set without control.token_env; refusing to listen on TCP without a bearer token"
            case .missingOperatorToken(let variable):
                "control.operator_token_env names \(variable), which is unset or empty; refusing to start rather than run without the operators' token"
            case .operatorTokenIsTheBotToken:
                "the operators' TCP token (control.operator_token_env) equals the bots' (control.token_env): every bot could re-arm; refusing to start"
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
        let tokens = try settings.tcpPort == nil ? [] : Self.bearerTokens(settings, environment: daemon.options.environment)
        let policy = ControlAccessPolicy.resolve(socketGroup: settings.socketGroup, operatorGroup: settings.operatorGroup, logger: logger)
        try ControlSocketFile.prepare(path: path, logger: logger)
        defer { ControlSocketFile.remove(path: path) }

        let api = ControlAPI(daemon: daemon)
        let onListening = self.onListening
        let unix = Application(
            router: api.router(.unixSocket(policy)),
            configuration: ApplicationConfiguration(address: .unixDomainSocket(path: path)),
            onServerRunning: { _ in
                ControlSocketFile.applyPermissions(path: path, group: settings.socketGroup, logger: logger)
                logger.info("control API listening", metadata: [
                    "socket": "\(path)", "socket_group": "\(policy.socketGroup.name)", "operator_group": "\(policy.operatorGroup.name)",
                ])
                onListening(.unixSocket(path: path))
            },
            logger: logger
        )
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await unix.run() }
            if let port = settings.tcpPort {
                let tcp = Application(
                    router: api.router(.bearerTokens(tokens)),
                    configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: port)),
                    onServerRunning: { channel in
                        let bound = channel.localAddress?.port ?? port
                        logger.info("control API listening on loopback TCP (bearer token required)", metadata: [
                            "port": "\(bound)", "tokens": "\(tokens.map(\.name).joined(separator: ", "))",
                        ])
                        onListening(.tcp(port: bound))
                    },
                    logger: logger
                )
                group.addTask { try await tcp.run() }
            }
        }
    }

    /// The TCP listener's tokens from the environment: the bots' (required) and the operators' (when
    /// `operator_token_env` is set; a named variable that is unset is an error, not a silent downgrade).
    static func bearerTokens(_ settings: ControlSettings, environment: [String: String]) throws -> [BearerTokenMiddleware.Token] {
        guard let variable = settings.tokenEnv else { throw StartError.missingToken(variable: nil) }
        guard let botToken = environment[variable], !botToken.isEmpty else { throw StartError.missingToken(variable: variable) }
        var tokens = [BearerTokenMiddleware.Token(name: BearerTokenMiddleware.botTokenName, role: .bot, value: botToken)]
        if let operatorVariable = settings.operatorTokenEnv {
            guard let operatorToken = environment[operatorVariable], !operatorToken.isEmpty else {
                throw StartError.missingOperatorToken(variable: operatorVariable)
            }
            guard operatorToken != botToken else { throw StartError.operatorTokenIsTheBotToken }
            tokens.append(BearerTokenMiddleware.Token(name: BearerTokenMiddleware.operatorTokenName, role: .operator, value: operatorToken))
        }
        return tokens
    }
}
