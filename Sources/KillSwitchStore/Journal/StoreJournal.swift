import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A journal that cannot fill up when the database does: a file of `size` bytes really allocated at start
/// (`posix_fallocate`, not a sparse file), holding append-only JSON lines, each with a checksum, each
/// fsynced before the append returns. The database's fallback while it cannot write (see `Store+Journal`).
///
/// A line is `<json>\t<first 8 bytes of SHA-256(json), hex>\n`; the unused rest of the file is zeros. Reading
/// stops at the first zero byte or at a line whose checksum does not match (a write torn by a crash).
/// Emptied by zeroing what was used, so the allocation is kept.
final class StoreJournal: @unchecked Sendable {
    enum Failure: Error, CustomStringConvertible {
        case open(String, Int32)
        case allocate(String, Int32)
        case full(String, needed: Int, free: Int)
        case write(String, Int32)

        var description: String {
            switch self {
            case .open(let path, let code): "journal \(path): cannot open (\(String(cString: strerror(code))))"
            case .allocate(let path, let code): "journal \(path): cannot allocate its space (\(String(cString: strerror(code))))"
            case .full(let path, let needed, let free): "journal \(path) is full (\(needed) bytes needed, \(free) free)"
            case .write(let path, let code): "journal \(path): write failed (\(String(cString: strerror(code))))"
            }
        }
    }

    let path: String
    let size: Int
    private let fd: Int32
    /// Bytes in use from the start of the file.
    private(set) var used = 0
    private(set) var count = 0

    /// Opens (creating, mode 0640) and allocates the journal; reads what a previous process left in it.
    init(path: String, size: Int) throws {
        self.path = path
        self.size = size
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw Failure.open(path, errno) }
        self.fd = fd
        let result = posix_fallocate(fd, 0, off_t(size))
        guard result == 0 else {
            close(fd)
            throw Failure.allocate(path, result)
        }
        (used, count) = Self.scan(fd: fd, size: size)
    }

    deinit { close(fd) }

    var isEmpty: Bool { count == 0 }

    /// Bytes the filesystem has really allocated to the file (512-byte blocks).
    var allocatedBytes: Int {
        var info = stat()
        guard fstat(fd, &info) == 0 else { return 0 }
        return Int(info.st_blocks) * 512
    }

    /// Appends one record and fsyncs it.
    func append(_ record: JournalRecord) throws {
        let line = Self.line(record)
        guard used + line.count <= size else { throw Failure.full(path, needed: line.count, free: size - used) }
        let written = line.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(used)) }
        guard written == line.count else { throw Failure.write(path, errno) }
        guard fsync(fd) == 0 else { throw Failure.write(path, errno) }
        used += line.count
        count += 1
    }

    /// Every intact record, oldest first.
    func records() -> [JournalRecord] {
        var buffer = [UInt8](repeating: 0, count: used)
        let read = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, used, 0) }
        guard read == used else { return [] }
        return Self.parse(buffer).records
    }

    /// Zeroes what was used (the allocation stays) and fsyncs.
    func clear() throws {
        let zeros = [UInt8](repeating: 0, count: 64 << 10)
        var offset = 0
        while offset < used {
            let chunk = min(zeros.count, used - offset)
            let written = zeros.withUnsafeBytes { pwrite(fd, $0.baseAddress, chunk, off_t(offset)) }
            guard written == chunk else { throw Failure.write(path, errno) }
            offset += chunk
        }
        guard fsync(fd) == 0 else { throw Failure.write(path, errno) }
        used = 0
        count = 0
    }

    // MARK: Lines

    static func line(_ record: JournalRecord) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = (try? encoder.encode(record)) ?? Data("{}".utf8)
        return Array(json) + Array("\t\(checksum(json))\n".utf8)
    }

    static func checksum(_ json: some DataProtocol) -> String {
        SHA256.hash(data: Data(json)).prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    /// The intact records and the bytes they span.
    static func parse(_ bytes: [UInt8]) -> (records: [JournalRecord], used: Int) {
        var records: [JournalRecord] = []
        var start = 0
        let decoder = JSONDecoder()
        while start < bytes.count, bytes[start] != 0, let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) {
            let line = bytes[start..<end]
            guard let tab = line.lastIndex(of: UInt8(ascii: "\t")) else { break }
            let json = Data(line[line.startIndex..<tab])
            let sum = String(decoding: line[(tab + 1)...], as: UTF8.self)
            guard sum == checksum(json), let record = try? decoder.decode(JournalRecord.self, from: json) else { break }
            records.append(record)
            start = end + 1
        }
        return (records, start)
    }

    /// Reads from the start until the first zero byte (the unused rest), a chunk at a time.
    private static func scan(fd: Int32, size: Int) -> (used: Int, count: Int) {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var offset = 0
        while offset < size {
            let read = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, min($0.count, size - offset), off_t(offset)) }
            guard read > 0 else { break }
            if let zero = chunk[0..<read].firstIndex(of: 0) {
                bytes += chunk[0..<zero]
                break
            }
            bytes += chunk[0..<read]
            offset += read
        }
        let parsed = parse(bytes)
        return (parsed.used, parsed.records.count)
    }
}
