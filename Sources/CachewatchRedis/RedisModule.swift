import CHiredis
import CachewatchCore

/// The hiredis version cachewatch was built against (`major.minor.patch`).
public let hiredisVersion = "\(HIREDIS_MAJOR).\(HIREDIS_MINOR).\(HIREDIS_PATCH)"
