import Synchronization

/// A value behind a lock, for state that tasks share and that holds non-Sendable views of borrowed
/// bytes while a call runs (which `Mutex`'s `sending` rules reject even though nothing escapes).
final class Locked<Value>: @unchecked Sendable {
    private let lock = Mutex<Void>(())
    private var value: Value

    init(_ value: Value) { self.value = value }

    /// Runs `body` with the value, holding the lock.
    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        try lock.withLock { _ in try body(&value) }
    }
}
