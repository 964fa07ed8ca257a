import Synchronization

/// A value behind a lock, shared by tasks and threads: Vigil's one lock box (`Mutex` itself cannot be
/// captured by an escaping closure or kept in a copyable value). It also holds state with non-Sendable
/// views of borrowed bytes while a call runs, which `Mutex`'s `sending` rules reject even though
/// nothing escapes. Here, beside the clock, because every module that waits or stamps imports this one.
public final class Locked<Value>: @unchecked Sendable {
    private let lock = Mutex<Void>(())
    private var held: Value

    /// A box holding `value`.
    public init(_ value: Value) { held = value }

    /// Runs `body` with the value, holding the lock.
    public func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        try lock.withLock { _ in try body(&held) }
    }
}

extension Locked {
    /// A copy of the value, read under the lock.
    public var value: Value { withLock { $0 } }
}

extension Locked where Value: RangeReplaceableCollection {
    /// An empty collection behind a lock (what tasks report, collected).
    public convenience init() { self.init(Value()) }

    /// Appends `element` under the lock.
    public func append(_ element: Value.Element) { withLock { $0.append(element) } }
}
