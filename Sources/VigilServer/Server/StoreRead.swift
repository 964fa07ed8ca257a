import Dispatch
import Hummingbird
import VigilStore

/// Runs a store read on a dispatch thread and waits for it without holding one of Swift's cooperative
/// threads (two on a two-core machine): a long query must not stall every other request behind it.
/// A store error passes through as it is: `RequestGuard` logs it and answers a 500 that shows neither the
/// store's path nor its SQL.
func storeRead<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global(qos: .userInitiated).async {
            do {
                continuation.resume(returning: try body())
            } catch {
                continuation.resume(throwing: error)
            }
        }
    }
}
