// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// @title DmidAnchor: Merkle roots of dmid anchor batches, append-only.
/// @notice Each root is a batch of score (or decision) record commitments; nothing here identifies a
///         person. Anyone can read `batches(root)` to check that a receipt's root was anchored, and when.
contract DmidAnchor {
    struct Batch {
        /// Position of the batch, from 0.
        uint64 height;
        /// Anchors (Merkle leaves) in the batch.
        uint64 size;
        /// Block timestamp of the anchoring; 0 means "not anchored".
        uint64 anchoredAt;
    }

    /// The only account allowed to anchor: the deployer (the ledger writer's signer).
    address public immutable writer;
    /// Batches anchored so far.
    uint64 public height;
    mapping(bytes32 => Batch) public batches;

    event BatchAnchored(bytes32 indexed root, uint64 indexed height, uint64 size, uint64 anchoredAt);

    error NotWriter();
    error EmptyBatch();

    constructor() {
        writer = msg.sender;
    }

    /// @notice Anchors a batch root. A root anchored before is left as it is (a retried transaction
    ///         after a lost receipt must not fail, and must not anchor twice).
    function anchor(bytes32 root, uint64 size) external returns (uint64) {
        if (msg.sender != writer) revert NotWriter();
        if (size == 0) revert EmptyBatch();
        Batch storage held = batches[root];
        if (held.anchoredAt != 0) return held.height;
        uint64 h = height;
        batches[root] = Batch(h, size, uint64(block.timestamp));
        height = h + 1;
        emit BatchAnchored(root, h, size, uint64(block.timestamp));
        return h;
    }
}
