/// Turns untrusted bytes (key names, values, log text) into text that is safe to draw.
///
/// Control bytes become `\n`, `\t`, `\r`, `\\` or `\xNN`; invalid UTF-8 becomes `\xNN`
/// per byte; C1 controls and bidi overrides become `\u{…}`. Nothing that leaves this
/// type can move a terminal's cursor, change its title or clear its screen.
public enum DisplayEscaper {
    /// Escapes raw bytes (binary-safe Redis keys, log lines).
    public static func escape(_ bytes: some Sequence<UInt8>) -> String {
        var out = ""
        var buffer: [UInt8] = []
        buffer.reserveCapacity(64)
        for byte in bytes { buffer.append(byte) }
        var index = 0
        while index < buffer.count {
            let byte = buffer[index]
            if byte < 0x80 {
                appendASCII(byte, to: &out)
                index += 1
                continue
            }
            if let (scalar, length) = decodeScalar(buffer, at: index) {
                appendScalar(scalar, to: &out)
                index += length
            } else {
                out += hex(byte)
                index += 1
            }
        }
        return out
    }

    /// Escapes a Swift string (already valid Unicode) for display.
    public static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar.value < 0x80 { appendASCII(UInt8(scalar.value), to: &out) } else { appendScalar(scalar, to: &out) }
        }
        return out
    }

    // MARK: - Pieces

    private static func appendASCII(_ byte: UInt8, to out: inout String) {
        switch byte {
        case 0x0A: out += "\\n"
        case 0x0D: out += "\\r"
        case 0x09: out += "\\t"
        case 0x5C: out += "\\\\"
        case 0x20..<0x7F: out.unicodeScalars.append(Unicode.Scalar(byte))
        default: out += hex(byte)
        }
    }

    private static func appendScalar(_ scalar: Unicode.Scalar, to out: inout String) {
        let value = scalar.value
        let dangerous = (0x80..<0xA0).contains(value)          // C1 controls (CSI, OSC …)
            || (0x202A...0x202E).contains(value)                 // bidi embeddings/overrides
            || (0x2066...0x2069).contains(value)                 // bidi isolates
            || value == 0x200E || value == 0x200F || value == 0x061C
            || value == 0x2028 || value == 0x2029 || value == 0xFEFF
        if dangerous {
            out += "\\u{" + String(value, radix: 16) + "}"
        } else {
            out.unicodeScalars.append(scalar)
        }
    }

    static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return "\\x" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0x0F)])
    }

    /// Decodes one well-formed UTF-8 scalar (no overlongs, no surrogates).
    static func decodeScalar(_ bytes: [UInt8], at start: Int) -> (Unicode.Scalar, Int)? {
        let lead = bytes[start]
        let length: Int
        var value: UInt32
        switch lead {
        case 0xC2...0xDF: length = 2; value = UInt32(lead & 0x1F)
        case 0xE0...0xEF: length = 3; value = UInt32(lead & 0x0F)
        case 0xF0...0xF4: length = 4; value = UInt32(lead & 0x07)
        default: return nil
        }
        guard start + length <= bytes.count else { return nil }
        for offset in 1..<length {
            let next = bytes[start + offset]
            guard next & 0xC0 == 0x80 else { return nil }
            value = (value << 6) | UInt32(next & 0x3F)
        }
        let minimum: UInt32 = length == 2 ? 0x80 : (length == 3 ? 0x800 : 0x10000)
        guard value >= minimum, let scalar = Unicode.Scalar(value) else { return nil }
        return (scalar, length)
    }
}
