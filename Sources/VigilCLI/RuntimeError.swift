/// A failure while running (a file that cannot be read, a store that cannot be opened, a port taken), as
/// opposed to a bad argument: ArgumentParser prints it as one line and exits non-zero, without the usage
/// text that a `ValidationError` brings.
struct RuntimeError: Error, CustomStringConvertible {
    /// What went wrong, saying which file, store or port.
    let description: String

    init(_ description: String) { self.description = description }
}
