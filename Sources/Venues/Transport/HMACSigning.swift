import Crypto
import Foundation

/// The three digests the venues use, over UTF-8 text.
enum HMACSigning {
    static func sha512Hex(_ text: String) -> String {
        hex(SHA512.hash(data: Data(text.utf8)))
    }

    static func hmacSHA512Hex(secret: String, message: String) -> String {
        hex(HMAC<SHA512>.authenticationCode(for: Data(message.utf8), using: SymmetricKey(data: Data(secret.utf8))))
    }

    static func hmacSHA256Hex(secret: String, message: String) -> String {
        hex(HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: SymmetricKey(data: Data(secret.utf8))))
    }

    static func hmacSHA256Base64(secret: String, message: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return Data(mac).base64EncodedString()
    }

    private static func hex<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
