import Deploy
import Foundation

/// Prints progress a line a step; on a terminal, polls overwrite each other on one line.
final class ProgressPrinter: Sendable {
    private let isTerminal = isatty(STDOUT_FILENO) != 0

    func show(_ progress: DeploymentProgress) {
        if isTerminal {
            FileHandle.standardOutput.write(Data(("\r\u{1B}[K" + progress.line + (progress.isPoll ? "" : "\n")).utf8))
        } else {
            emit(progress.line)
        }
    }
}
