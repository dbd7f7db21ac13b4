import Foundation

/// A scrape in the Prometheus text format, parsed as a scraper would: `# TYPE` lines give each family's
/// type; each sample line is a name, optional `{label="value",…}` and a value.
struct PrometheusText {
    struct Sample: Hashable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    var samples: [Sample] = []
    /// Family name → `counter`, `gauge`, `histogram`, …
    var types: [String: String] = [:]
    /// Family name → help text.
    var help: [String: String] = [:]

    init(_ text: String) {
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("# TYPE ") || line.hasPrefix("# HELP ") {
                let parts = line.split(separator: " ", maxSplits: 3).map(String.init)
                guard parts.count >= 4 else { continue }
                if parts[1] == "TYPE" { types[parts[2]] = parts[3] } else { help[parts[2]] = parts[3] }
                continue
            }
            if line.hasPrefix("#") { continue }
            guard let sample = Self.sample(String(line)) else { continue }
            samples.append(sample)
        }
    }

    static func sample(_ line: String) -> Sample? {
        guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { return nil }
        let series = String(line[..<space])
        guard let brace = series.firstIndex(of: "{") else { return Sample(name: series, labels: [:], value: value) }
        var labels: [String: String] = [:]
        var rest = series[series.index(after: brace)...].dropLast()   // without the closing brace
        while let equals = rest.firstIndex(of: "=") {
            let key = String(rest[..<equals]).trimmingCharacters(in: CharacterSet(charactersIn: ", "))
            var index = rest.index(equals, offsetBy: 2)   // past ="
            var valueText = ""
            while index < rest.endIndex, rest[index] != "\"" {
                if rest[index] == "\\", rest.index(after: index) < rest.endIndex {
                    index = rest.index(after: index)
                }
                valueText.append(rest[index])
                index = rest.index(after: index)
            }
            labels[key] = valueText
            rest = index < rest.endIndex ? rest[rest.index(after: index)...] : rest[rest.endIndex...]
        }
        return Sample(name: String(series[..<brace]), labels: labels, value: value)
    }

    /// Every sample name (histograms as `_bucket`, `_sum`, `_count`).
    var names: Set<String> { Set(samples.map(\.name)) }

    /// The one sample of `name` whose labels include `labels`; nil when there is none (or several).
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        let matching = samples.filter { sample in sample.name == name && labels.allSatisfy { key, value in sample.labels[key] == value } }
        return matching.count == 1 ? matching[0].value : nil
    }

    /// All samples of `name`.
    func all(_ name: String) -> [Sample] { samples.filter { $0.name == name } }
}
