import KillSwitchCore

extension ConfigParser {
    /// `[[venues]] dms = { timeout = "30s", refresh = "10s", on_stop = "disarm" | "leave", symbols = [...] }`.
    static func parseCountdown(_ t: TableReader, kind: VenueKind) -> CountdownSettings? {
        var settings = CountdownSettings()
        let timeout = t.duration("timeout")
        let refresh = t.duration("refresh")
        let onStop = t.string("on_stop")
        let symbols = t.stringArray("symbols")
        t.finish()
        guard kind.hasCountdown else {
            // Said once, on the table itself: no key inside it could make it work.
            t.issue("", "\(kind.rawValue) (classic v2 mix) has no countdown cancel-all; remove dms (status shows this venue as daemon-only protection)")
            return nil
        }
        var valid = true
        if let timeout {
            if timeout.nanoseconds % 1_000_000_000 != 0 {
                t.issue("timeout", "\"\(DurationText.format(timeout))\" must be whole seconds (the venues take seconds)")
                valid = false
            } else if timeout < kind.minimumCountdown {
                t.issue("timeout", "\"\(DurationText.format(timeout))\" is shorter than \(kind.rawValue) accepts (at least \(DurationText.format(kind.minimumCountdown)))")
                valid = false
            } else if timeout > .seconds(3_600) {
                t.issue("timeout", "\"\(DurationText.format(timeout))\" is over 1h: the venue would leave the book resting that long after the daemon died")
                valid = false
            }
            settings.timeout = timeout
        }
        if let refresh {
            if refresh < .seconds(1) {
                t.issue("refresh", "\"\(DurationText.format(refresh))\" is too often; at least 1s")
                valid = false
            }
            settings.refresh = refresh
        }
        if valid, settings.timeout < settings.refresh * CountdownSettings.refreshesPerTimeout {
            t.issue("timeout", "\(DurationText.format(settings.timeout)) must be at least \(CountdownSettings.refreshesPerTimeout) × refresh (\(DurationText.format(settings.refresh * CountdownSettings.refreshesPerTimeout))): one late refresh must not let the venue cancel")
            valid = false
        }
        if let onStop {
            if let parsed = CountdownSettings.OnStop(rawValue: onStop) {
                settings.onStop = parsed
            } else {
                t.issue("on_stop", "unknown value \"\(onStop)\"; expected \"disarm\" (a clean stop disarms) or \"leave\" (the venue cancels whenever the daemon is down)")
                valid = false
            }
        }
        if let symbols {
            if kind.countdownPerSymbol {
                settings.symbols = symbols.map(kind.canonicalSymbol)
            } else {
                t.issue("symbols", "only for binance-coinm (per-symbol countdowns); \(kind.rawValue)'s countdown reaches \(kind.countdownReach)")
                valid = false
            }
        }
        return valid ? settings : nil
    }

    /// One `dms-lost` rule per enabled venue entry with `dms`, scoped to the entry, after the configured rules.
    static func countdownLossRules(_ config: KillSwitchConfiguration, ruleIds: Set<String>, sink: IssueSink) -> [RuleDefinition] {
        CountdownPlan.lossRules(config).filter { rule in
            guard ruleIds.contains(rule.id) else { return true }
            let index = config.venues.firstIndex { $0.descriptor.id == rule.scope.venue } ?? 0
            sink.add(ConfigIssue(path: "venues[\(index)].dms", message: "rule id \"\(rule.id)\" is taken by a [[rules]] entry; it names this venue's dms-lost rule"))
            return false
        }
    }
}
