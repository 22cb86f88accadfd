// Invariants of resolved connection options and their errors (the dotenv and url targets).
import CachewatchCore

/// Resolved options lie inside their documented ranges and never show the password.
func checkOptions(_ options: ConnectionOptions) {
    fuzzCheck((1...65535).contains(options.port), "port \(options.port)")
    fuzzCheck(options.db >= 0 && options.db <= Int(Int32.max), "db \(options.db)")
    fuzzCheck(options.connectTimeoutSeconds.isFinite && options.connectTimeoutSeconds > 0, "timeout \(options.connectTimeoutSeconds)")
    fuzzCheck(!options.host.isEmpty, "empty host")
    if let password = options.password, password.count >= 4, !password.contains("*") {
        var other = options
        other.password = "x"
        if !other.description.contains(password) {
            fuzzCheck(!options.description.contains(password), "description shows the password")
        }
    }
}

/// A resolution error is one display-safe sentence that does not quote the password.
func checkError(_ error: ConnectionOptionsError, password: String?) {
    fuzzCheck(!error.message.isEmpty, "empty error message")
    fuzzCheck(isDisplaySafe(error.message), "error not display-safe: \(error.message.unicodeScalars.map(\.value))")
    if let password, password.count >= 4, !password.contains("*"),
       !password.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
        fuzzCheck(!error.message.contains(password), "error quotes the password")
    }
}
