import Foundation

/// hiredis writes without MSG_NOSIGNAL: a peer that closed must give EPIPE, not kill us.
func ignoreSIGPIPE() {
    signal(SIGPIPE, SIG_IGN)
}
