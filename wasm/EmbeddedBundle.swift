#if !SKIFF_SINGLE_MODULE
import FSImage
import ModuleBundle
#endif

// A converted module's bundle (docs/convert.md), read from the module's own passive data
// segments through the functions of embedded_bundle.c, which `skiff convert` fills in. Only
// segment 0 (configuration and filesystem tables) is copied into linear memory, once; file
// contents are copied from their segment when the guest reads them (memory.init), so memory
// follows what the guest touches, not the image's size.

@_extern(c, "skiff_bundle_segment_count")
func bundleSegmentCount() -> Int32
@_extern(c, "skiff_bundle_segment_size")
func bundleSegmentSize(_ index: Int32) -> Int32
@_extern(c, "skiff_bundle_segment_copy")
func bundleSegmentCopy(_ index: Int32, _ destination: UnsafeMutableRawPointer, _ offset: Int32, _ length: Int32)

final class EmbeddedBundle: FSImageContentSource {
    let layout: BundleLayout
    let configuration: BundleConfiguration
    /// Segment 0, in linear memory for as long as the module runs (the reader points into it).
    let segmentZero: UnsafeMutableRawBufferPointer
    private(set) var reader: FSImageReader!

    enum Loaded {
        case none
        case bundle(EmbeddedBundle)
        case failure(String)
    }

    /// The module's bundle; `.none` for a plain core module (nothing embedded).
    static func load() -> Loaded {
        let count = bundleSegmentCount()
        if count == 0 { return .none }
        let size = Int(bundleSegmentSize(0))
        let segment = UnsafeMutableRawBufferPointer.allocate(byteCount: max(size, 1), alignment: 16)
        bundleSegmentCopy(0, segment.baseAddress!, 0, Int32(size))
        let zero = UnsafeMutableRawBufferPointer(rebasing: segment[0..<size])
        do throws(ModuleBundleError) {
            let layout = try BundleLayout(decoding: UnsafeRawBufferPointer(zero))
            guard Int(count) == 1 + Int(layout.contentSegmentCount) else { throw .corrupt("segment count") }
            for i in 0..<Int(layout.contentSegmentCount)
            where UInt64(bundleSegmentSize(Int32(1 + i))) != layout.contentSegmentLength(i) {
                throw .corrupt("content segment size")
            }
            let start = layout.configurationOffset
            let configuration = try BundleConfiguration(decoding: UnsafeRawBufferPointer(
                rebasing: zero[start..<start + Int(layout.configurationLength)]))
            let bundle = EmbeddedBundle(layout: layout, configuration: configuration, segmentZero: zero)
            let header = UnsafeRawBufferPointer(rebasing: zero[BundleLayout.fixedSize..<layout.configurationOffset])
            let tables = UnsafeRawBufferPointer(rebasing: zero[layout.tablesStart...])
            do throws(FSImageError) {
                bundle.reader = try FSImageReader(header: header, tables: tables, tablesOffset: layout.tablesOffset, contents: bundle)
            } catch {
                return .failure("the module's embedded filesystem image is corrupt: \(error.message)")
            }
            guard bundle.reader.dataOffset == layout.contentOffset, bundle.reader.dataSize == layout.contentLength else {
                return .failure("the module's embedded filesystem image does not match its content segments")
            }
            return .bundle(bundle)
        } catch {
            return .failure(error.message)
        }
    }

    private init(layout: BundleLayout, configuration: BundleConfiguration, segmentZero: UnsafeMutableRawBufferPointer) {
        self.layout = layout
        self.configuration = configuration
        self.segmentZero = segmentZero
    }

    /// FSImageContentSource: the reader asks only for ranges inside the contents area (it
    /// checked every file's range against it), which the content segments hold.
    func readImage(at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) {
        let segmentSize = UInt64(layout.contentSegmentSize)
        var relative = offset - layout.contentOffset
        var done = 0
        while done < buffer.count {
            let segment = relative / segmentSize
            let within = relative % segmentSize
            let n = Int(min(UInt64(buffer.count - done), segmentSize - within))
            bundleSegmentCopy(Int32(1 + segment), buffer.baseAddress! + done, Int32(within), Int32(n))
            done += n
            relative += UInt64(n)
        }
    }
}
