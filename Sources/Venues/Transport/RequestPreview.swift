import KillSwitchCore

/// What `killswitch venue request` prints: the exact request as JSON `{method, url, headers, body}`, with
/// the API key cut to its first 4 characters wherever it appears (header or URL, raw or percent-encoded)
/// unless `showKey`, the passphrase always `***`, and the signature in full (that is what a user compares
/// when a venue answers "invalid signature"). The secret is never part of a request.
public enum RequestPreview {
    public static func redacted(_ request: SignedRequest, credentials: VenueCredentials, showKey: Bool) -> SignedRequest {
        var out = request
        let shownKey = Redaction.key(credentials.apiKey)
        func scrub(_ text: String, inURL: Bool) -> String {
            var text = text
            if let passphrase = credentials.passphrase, !passphrase.isEmpty {
                text = text.replacingAll(PercentEncoding.encode(passphrase), with: "***")
                text = text.replacingAll(passphrase, with: "***")
            }
            if !showKey, !credentials.apiKey.isEmpty {
                // In a URL the key sits percent-encoded, and so does its shortened form.
                if inURL { text = text.replacingAll(PercentEncoding.encode(credentials.apiKey), with: PercentEncoding.encode(shownKey)) }
                text = text.replacingAll(credentials.apiKey, with: shownKey)
            }
            if !credentials.secret.isEmpty { text = text.replacingAll(credentials.secret, with: "***") }
            return text
        }
        out.url = scrub(out.url, inURL: true)
        out.headers = out.headers.map { field in
            if field.name.lowercased() == "access-passphrase" { return HTTPField(field.name, "***") }
            return HTTPField(field.name, scrub(field.value, inURL: false))
        }
        out.body = out.body.map { scrub($0, inURL: false) }
        return out
    }

    /// Pretty JSON with the headers as an object in sending order.
    public static func json(_ request: SignedRequest) -> String {
        let headers = request.headers.map { "    \(JSONText.string($0.name)): \(JSONText.string($0.value))" }.joined(separator: ",\n")
        return """
        {
          "method": \(JSONText.string(request.method)),
          "url": \(JSONText.string(request.url)),
          "headers": {
        \(headers)
          },
          "body": \(request.body.map(JSONText.string) ?? "null")
        }
        """
    }

    /// The parsed answer of a sent batch cancel, as JSON lines of per-order outcomes plus the request facts.
    public static func json(_ result: CancelRequestResult) -> String {
        let outcomes = result.outcomes.map { o in
            JSONText.object([
                ("symbol", JSONText.string(o.target.symbol)),
                ("venueOrderId", o.target.venueOrderId.map(JSONText.string) ?? "null"),
                ("clientOrderId", o.target.clientOrderId.map(JSONText.string) ?? "null"),
                ("outcome", JSONText.string(o.kind.rawValue)),
                ("venueCode", o.venueCode.map(JSONText.string) ?? "null"),
                ("message", o.message.map(JSONText.string) ?? "null"),
            ])
        }
        let members: [(String, String)] = [
            ("httpStatus", result.httpStatus.map { String($0) } ?? "null"),
            ("venueCode", result.venueCode.map(JSONText.string) ?? "null"),
            ("latencyMs", String(Double(result.latencyNanoseconds) / 1_000_000)),
            ("transportError", result.transportError.map(JSONText.string) ?? "null"),
            ("rawBody", JSONText.string(result.rawBody)),
        ]
        return "{\n" + members.map { "  \(JSONText.string($0.0)): \($0.1)," }.joined(separator: "\n")
            + "\n  \"outcomes\": [\n" + outcomes.map { "    " + $0 }.joined(separator: ",\n") + "\n  ]\n}"
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        target.isEmpty ? self : replacing(target, with: replacement)
    }
}
