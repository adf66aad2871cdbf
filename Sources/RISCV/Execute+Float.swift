// F and D extensions (work in progress: arithmetic lands in the next commit).

extension Hart {
    /// Executes an F/D operation. Returns false if the instruction is illegal (invalid dynamic
    /// rounding mode).
    func executeFloat(_ d: DecodedInstruction) -> Bool {
        return false
    }
}
