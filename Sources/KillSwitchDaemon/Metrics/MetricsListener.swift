import Hummingbird
import KillSwitchConfig
import Logging
import NIOCore
import ServiceLifecycle

/// `[metrics] listen`: plain HTTP that Prometheus can scrape (it cannot scrape the control socket), serving
/// `GET /metrics` and nothing else — no route here changes state, so it needs no caller identity.
///
/// It must never stop the daemon: if it cannot listen (the port is taken), it says so at critical and ends,
/// and the daemon goes on cancelling; the failed scrape (`up == 0`) is how people hear of it.
struct MetricsListener: Service {
    let daemon: Daemon
    let address: MetricsListenAddress

    func run() async throws {
        let logger = daemon.logger
        let daemon = self.daemon, address = self.address
        let router = Router()
        router.get("/metrics") { _, _ -> Response in
            let bytes = await daemon.metricsText()
            return Response(status: .ok, headers: [.contentType: Daemon.metricsContentType], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        let app = Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(address.host, port: address.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? address.port
                logger.info("metrics listening (GET /metrics)", metadata: ["address": "\(MetricsListenAddress(host: address.host, port: port))"])
                daemon.metricsEndpoint.listening(port: port)
            },
            logger: logger
        )
        do {
            try await app.run()
        } catch {
            logger.critical("metrics listener failed: Prometheus cannot scrape this daemon (it goes on cancelling)", metadata: [
                "address": "\(address)", "error": "\(error)",
            ])
        }
    }
}
