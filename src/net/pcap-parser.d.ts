/** Types for pcap-parser 0.2 (a CommonJS module without its own), as far as podnet uses it. */
declare module 'pcap-parser' {
  import type { Readable } from 'node:stream';

  namespace pcapParser {
    interface GlobalHeader {
      /** Always read in the file's own byte order, so 0xa1b2c3d4 for every accepted file. */
      magicNumber: number;
      majorVersion: number;
      minorVersion: number;
      gmtOffset: number;
      timestampAccuracy: number;
      snapshotLength: number;
      linkLayerType: number;
    }

    interface PacketHeader {
      timestampSeconds: number;
      timestampMicroseconds: number;
      capturedLength: number;
      originalLength: number;
    }

    interface Packet {
      header: PacketHeader;
      data: Buffer;
    }

    /**
     * Emits globalHeader, then packetHeader/packetData/packet per record, then end. A bad magic
     * number emits error and then end; a truncated file just ends.
     */
    interface Parser {
      on(event: 'globalHeader', listener: (header: GlobalHeader) => void): this;
      on(event: 'packetHeader', listener: (header: PacketHeader) => void): this;
      on(event: 'packetData', listener: (data: Buffer) => void): this;
      on(event: 'packet', listener: (packet: Packet) => void): this;
      on(event: 'error', listener: (error: Error) => void): this;
      on(event: 'end', listener: () => void): this;
    }

    /** A file path (read with fs.createReadStream) or a readable stream of Buffers. */
    function parse(input: string | Readable): Parser;
  }

  export = pcapParser;
}
