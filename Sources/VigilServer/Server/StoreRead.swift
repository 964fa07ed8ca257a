import Dispatch
import Hummingbird
import VigilStore

/// Runs a store read on a dispatch thread and waits for it without holding one of Swift's cooperative
/// threads (two on a two-core machine): a long query must not stall every other request behind it.
/// A store error becomes a 500 with its message.
func storeRead<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global(qos: .userInitiated).async {
            do {
                continuation.resume(returning: try body())
            } catch let error as StoreError {
                continuation.resume(throwing: HTTPError(.internalServerError, message: error.description))
            } catch {
                continuation.resume(throwing: error)
            }
        }
    }
}
