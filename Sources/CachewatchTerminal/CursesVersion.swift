import CNcursesw

/// The curses library's version string, for `cachewatch --version`.
public func cursesVersion() -> String { String(cString: curses_version()) }
