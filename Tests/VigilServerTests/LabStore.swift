import Foundation
import VigilStore
import VigilTesting

/// A store filled the way a user fills one: `vigil replay --store` over a lab scenario's recording.
enum LabStore {
    /// The store of `scenario` (one-second bins, the lab's compressed time) and its ground truth.
    static func make(_ scenario: String) throws -> (store: History, truth: LabRecordings.GroundTruth) {
        let truth = try LabRecordings.truth(scenario)
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("vigil-lab-store-\(UUID().uuidString).sqlite").path
        let result = try Tools.run(
            try Tools.vigil(),
            [
                "replay", "--store", path, "--bin", "1", "--full-feed", "\(truth.population / 2)", "--time-scale",
                "\(truth.speed)", "--quiet",
            ] + truth.mrt)
        guard result.status == 0 else {
            throw ServerTestFailure("vigil replay failed: \(String(decoding: result.stderr, as: UTF8.self))")
        }
        return (try History(path: path), truth)
    }
}
