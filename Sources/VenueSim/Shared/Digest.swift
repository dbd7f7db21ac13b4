import Foundation
import Crypto

/// Hex and base64 forms of digests, and constant-time-ish comparison of signatures.
enum DigestText {
    private static let hexDigits = Array("0123456789abcdef".utf8)

    static func hex<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        var output: [UInt8] = []
        for byte in bytes {
            output.append(hexDigits[Int(byte >> 4)])
            output.append(hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Appends the lower-case hex form of `bytes`.
    static func appendHex(_ bytes: UnsafeRawBufferPointer, to output: inout [UInt8]) {
        output.reserveCapacity(output.count + bytes.count * 2)
        for byte in bytes {
            output.append(hexDigits[Int(byte >> 4)])
            output.append(hexDigits[Int(byte & 0x0F)])
        }
    }

    /// Appends the lower-case hex SHA-512 of `bytes` (no intermediate string).
    static func appendSHA512Hex(of bytes: [UInt8], to output: inout [UInt8]) {
        SHA512.hash(data: bytes).withUnsafeBytes { appendHex($0, to: &output) }
    }

    /// Whether `expected` is exactly the lower-case hex HMAC-SHA512 of `message` (same comparison as
    /// `equal(hmacSHA512Hex(key:message:), expected)`, without building strings).
    static func hmacSHA512HexMatches(key: SymmetricKey, message: [UInt8], expected: String) -> Bool {
        var computed: [UInt8] = []
        computed.reserveCapacity(128)
        HMAC<SHA512>.authenticationCode(for: message, using: key).withUnsafeBytes { appendHex($0, to: &computed) }
        var expected = expected
        return expected.withUTF8 { right in
            guard computed.count == right.count else { return false }
            var difference: UInt8 = 0
            for index in 0..<computed.count { difference |= computed[index] ^ right[index] }
            return difference == 0
        }
    }

    static func hmacSHA512Hex(key: SymmetricKey, message: some DataProtocol) -> String {
        hex(HMAC<SHA512>.authenticationCode(for: message, using: key))
    }

    static func hmacSHA256Hex(key: SymmetricKey, message: some DataProtocol) -> String {
        hex(HMAC<SHA256>.authenticationCode(for: message, using: key))
    }

    static func hmacSHA256Base64(key: SymmetricKey, message: some DataProtocol) -> String {
        Base64.encode(Array(HMAC<SHA256>.authenticationCode(for: message, using: key)))
    }

    static func sha512Hex(_ bytes: some DataProtocol) -> String {
        hex(SHA512.hash(data: bytes))
    }

    /// Compares without an early exit, so timing does not reveal the matching prefix.
    static func equal(_ lhs: String, _ rhs: String) -> Bool {
        let left = Array(lhs.utf8)
        let right = Array(rhs.utf8)
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }
}

/// Standard base64 with padding (the HTX and Bitget signature form).
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= bytes.count {
            let value = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            output += [alphabet[Int(value >> 18 & 63)], alphabet[Int(value >> 12 & 63)], alphabet[Int(value >> 6 & 63)], alphabet[Int(value & 63)]]
            index += 3
        }
        let rest = bytes.count - index
        if rest == 1 {
            let value = UInt32(bytes[index]) << 16
            output += [alphabet[Int(value >> 18 & 63)], alphabet[Int(value >> 12 & 63)], UInt8(ascii: "="), UInt8(ascii: "=")]
        } else if rest == 2 {
            let value = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8
            output += [alphabet[Int(value >> 18 & 63)], alphabet[Int(value >> 12 & 63)], alphabet[Int(value >> 6 & 63)], UInt8(ascii: "=")]
        }
        return String(decoding: output, as: UTF8.self)
    }
}
