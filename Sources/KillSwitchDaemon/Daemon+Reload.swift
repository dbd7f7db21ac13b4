import Foundation
import KillSwitchConfig
import KillSwitchCore

extension Daemon {
    public enum ReloadResult: Sendable {
        case reloaded(RuleEngine<ContinuousClock>.Reload)
        /// The file is unreadable or invalid: the running rules stay; the errors name each key path.
        case refused(ConfigErrors)
    }

    /// SIGHUP: reads the configuration file again through the same loader as `run` and swaps in its
    /// `[[rules]]` and `[trading_day]`. Anything invalid keeps the running rules and logs why. Other
    /// sections (venues, store, control, notify, pnl) need a restart.
    @discardableResult
    public func reloadRules() async -> ReloadResult {
        let path = configuration.sourcePath ?? KillSwitchConfiguration.defaultPath
        let fresh: KillSwitchConfiguration
        do {
            fresh = try ConfigLoader.load(path: path)
        } catch {
            logger.error("configuration reload refused; the running rules stay in force", metadata: [
                "file": "\(path)", "errors": "\(error.issues.map(\.description).joined(separator: "; "))",
            ])
            return .refused(error)
        }
        let result = await rules.reload(rules: fresh.rules, tradingDay: fresh.tradingDay)
        logger.notice("rules reloaded", metadata: [
            "file": "\(path)", "added": "\(result.added)", "changed": "\(result.changed)", "removed": "\(result.removed)", "kept": "\(result.kept)",
        ])
        if fresh.venueDescriptors != configuration.venueDescriptors || fresh.notify != configuration.notify || fresh.pnl != configuration.pnl {
            logger.warning("only [[rules]] and [trading_day] are reloaded; restart the daemon to apply the other changes", metadata: ["file": "\(path)"])
        }
        return .reloaded(result)
    }
}
