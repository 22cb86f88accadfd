import Foundation

/// A fixture a test class shares (a server, a cluster): set once in the class's `setUp()`, stopped in its
/// `tearDown()`, read by its tests. Thread-safe.
public final class SharedFixture<Fixture>: @unchecked Sendable {
    private let lock = NSLock()
    private var fixture: Fixture?
    private var startError: Error?
    private let what: String
    private let stopFixture: (Fixture) -> Void

    /// `what` names the fixture in the skip/failure message; `stop` tears one down.
    public init(_ what: String, stop: @escaping (Fixture) -> Void) {
        self.what = what
        stopFixture = stop
    }

    /// Runs `make` and keeps what it returns, or the error it threw (a test asking for it then gets that reason).
    @discardableResult
    public func start(_ make: () throws -> Fixture) -> Fixture? {
        let result = Result { try make() }
        lock.lock()
        defer { lock.unlock() }
        switch result {
        case .success(let started): fixture = started
        case .failure(let error): startError = error
        }
        return fixture
    }

    /// Tears the fixture down (if any) and forgets it.
    public func stop() {
        lock.lock()
        let stopping = fixture
        fixture = nil
        lock.unlock()
        if let stopping { stopFixture(stopping) }
    }

    /// The running fixture; throws `prerequisiteMissing` when it could not start.
    public var value: Fixture {
        get throws {
            lock.lock()
            defer { lock.unlock() }
            guard let fixture else {
                throw prerequisiteMissing("\(what) could not be started\(startError.map { ": \($0)" } ?? "")")
            }
            return fixture
        }
    }
}
