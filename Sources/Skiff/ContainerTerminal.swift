import LinuxKernel
import PosixHost
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `-t` and `-i` for any way of running a container: the kernel setting that gives the guest its
/// own terminal, and running the kernel with the host terminal in raw mode meanwhile.
public enum ContainerTerminal {
    /// The kernel's `KernelConfiguration.terminal` for these flags: with `tty`, the guest gets
    /// /dev/pts/0 on the host's stdout, typed input coming from stdin when `interactive`.
    public static func setup(tty: Bool, interactive: Bool) -> TerminalSetup? {
        tty ? TerminalSetup(input: interactive ? 0 : nil, output: 1) : nil
    }

    /// Runs the guest to its end; while it runs, the host terminal (if stdin is one and the guest
    /// reads it through its own terminal) is in raw mode, restored whatever happens.
    public static func run(_ kernel: Kernel, setup: TerminalSetup?) -> Termination {
        guard let input = setup?.input, HostTerminalMode.enterRaw(input) else { return kernel.run() }
        defer { HostTerminalMode.restore() }
        return kernel.run()
    }
}
