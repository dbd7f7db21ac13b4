import KillSwitchCore

extension ConfigParser {
    static func parsePnL(_ t: TableReader) -> PnLSettings {
        var settings = PnLSettings()
        if let skew = t.duration("mark_skew") {
            if skew > PnLSettings.maxMarkSkew {
                t.issue("mark_skew", "\(DurationText.format(skew)) is too large; at most \(DurationText.format(PnLSettings.maxMarkSkew)) "
                    + "(a mark dated ahead holds its venue's place against later marks until its time comes)")
            } else {
                settings.markSkew = skew
            }
        }
        t.finish()
        return settings
    }
}
