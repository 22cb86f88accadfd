// Shared helpers for the libFuzzer targets (compiled into every target binary, never into the app).
#if canImport(Glibc)
import Glibc
#endif

/// Stops the run as a crash when an invariant does not hold (libFuzzer saves the input as `crash-…`).
func fuzzCheck(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
               file: StaticString = #fileID, line: UInt = #line) {
    if condition() { return }
    let text = "fuzz invariant failed (\(file):\(line)): \(message())\n"
    text.withCString { _ = fputs($0, stderr) }
    abort()
}

/// True when `text` can be drawn as is: no C0/C1 control, DEL, bidi override or line/paragraph separator.
func isDisplaySafe(_ text: String) -> Bool {
    for scalar in text.unicodeScalars {
        let v = scalar.value
        if v < 0x20 || v == 0x7F || (0x80..<0xA0).contains(v) { return false }
        if (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v) { return false }
        if v == 0x200E || v == 0x200F || v == 0x061C || v == 0x2028 || v == 0x2029 || v == 0xFEFF { return false }
    }
    return true
}

/// The fuzzer's bytes as an array.
func fuzzBytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
    guard let data, size > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: size))
}

/// Splits `bytes` at the first occurrence of `separator` (e.g. a NUL between two INFO samples).
func splitOnce(_ bytes: [UInt8], at separator: UInt8) -> ([UInt8], [UInt8])? {
    guard let index = bytes.firstIndex(of: separator) else { return nil }
    return (Array(bytes[..<index]), Array(bytes[(index + 1)...]))
}

/// A cheap, stable 32-bit mix of the input (FNV-1a) for choosing parameters without stealing input bytes.
func fuzzHash(_ bytes: [UInt8]) -> UInt32 {
    var hash: UInt32 = 2_166_136_261
    for byte in bytes { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
    return hash
}
