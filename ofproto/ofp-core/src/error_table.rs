// Generated from the error documentation of Open vSwitch 3.1 (facts: names
// and per-version type/code numbers); our own format.

use crate::error::ErrorEncoding;

/// Every OpenFlow error OVS 3.1 can send or recognise, named as OVS names them
/// (`OFPBRC_BAD_VERSION` is [`OfpErr::OfpbrcBadVersion`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OfpErr {
    /// No compatible version
    OfphfcIncompatible,
    /// Permissions error
    OfphfcEperm,
    /// ofp_header.version not supported
    OfpbrcBadVersion,
    /// ofp_header.type not supported
    OfpbrcBadType,
    /// ofp_stats_msg.type not supported
    OfpbrcBadStat,
    /// Vendor not supported (in ofp_vendor_header or ofp_stats_msg)
    OfpbrcBadVendor,
    /// Vendor subtype not supported
    OfpbrcBadSubtype,
    /// Permissions error
    OfpbrcEperm,
    /// Wrong request length for type
    OfpbrcBadLen,
    /// Specified buffer has already been used
    OfpbrcBufferEmpty,
    /// Specified buffer does not exist
    OfpbrcBufferUnknown,
    /// Specified table-id invalid or does not exist. \[ A non-standard error (1,512), formerly OFPERR_NXBRC_BAD_TABLE_ID, is used for OpenFlow 1.0 as there seems to be no appropriate error code defined the specification. \]
    OfpbrcBadTableId,
    /// Denied because controller has secondary role. (Secondary controllers have only read-only access.)
    OfpbrcIsSecondary,
    /// Invalid or missing port. \[ A non-standard error (1,514), formerly OFPERR_NXBRC_BAD_IN_PORT is used for OpenFlow 1.0 and 1.1 as there seems to be no appropriate error code defined the specifications. \]
    OfpbrcBadPort,
    /// Invalid packet in packet-out
    OfpbrcBadPacket,
    /// Multipart request overflowed the assigned buffer
    OfpbrcMultipartBufferOverflow,
    /// Timeout during multipart request
    OfpbrcMultipartRequestTimeout,
    /// Timeout during multipart reply
    OfpbrcMultipartReplyTimeout,
    /// Switch received a OFPMP_BUNDLE_FEATURES request and failed to update the scheduling tolerance
    OfpbrcMultipartBadSched,
    /// Match fields must include only pipeline fields
    OfpbrcPipelineFieldsOnly,
    /// Unspecified error
    OfpbrcUnknown,
    /// Invalid NXM flow match
    NxbrcNxmInvalid,
    /// The nxm_type, or nxm_type taken in combination with nxm_hasmask or nxm_length or both, is invalid or not implemented
    NxbrcNxmBadType,
    /// Must-be-zero field had nonzero value
    NxbrcMustBeZero,
    /// The reason in an ofp_port_status message is not valid
    NxbrcBadReason,
    /// The 'event' in an NXST_FLOW_MONITOR reply does not specify one of the NXFME_ABBREV, NXFME_ADD, NXFME_DELETE, or NXFME_MODIFY
    NxbrcFmBadEvent,
    /// The error that occurred cannot be represented in this OpenFlow version
    NxbrcUnencodableError,
    /// Unknown or unsupported action type
    OfpbacBadType,
    /// Length problem in actions
    OfpbacBadLen,
    /// Unknown experimenter id specified
    OfpbacBadVendor,
    /// Unknown action type for experimenter id
    OfpbacBadVendorType,
    /// Problem validating output port
    OfpbacBadOutPort,
    /// Bad action argument
    OfpbacBadArgument,
    /// Permissions error
    OfpbacEperm,
    /// Can't handle this many actions
    OfpbacTooMany,
    /// Problem validating output queue
    OfpbacBadQueue,
    /// Invalid group id in output action
    OfpbacBadOutGroup,
    /// Action can't apply for this match or a prerequisite for use of this field is unmet
    OfpbacMatchInconsistent,
    /// Action order is unsupported for the action list in an Apply-Actions instruction
    OfpbacUnsupportedOrder,
    /// Actions uses an unsupported tag/encap
    OfpbacBadTag,
    /// Action uses unknown or unsupported OXM or NXM field
    OfpbacBadSetType,
    /// Action references past the end of an OXM or NXM field, or uses a length of zero
    OfpbacBadSetLen,
    /// Action sets a field to an invalid or unsupported value, or modifies a read-only field
    OfpbacBadSetArgument,
    /// Field in Set-Field action has Has-Mask bit set to 1
    OfpbacBadSetMask,
    /// Invalid meter id in meter action
    OfpbacBadMeter,
    /// Must-be-zero action argument had nonzero value
    NxbacMustBeZero,
    /// Conjunction action must be only action present. conjunction(id, k/n) must satisfy 1 <= k <= n and 2 <= n <= 64
    NxbacBadConjunction,
    /// Unsupported packet type in encap or decap
    NxbacBadHeaderType,
    /// Unrecognized encap or decap property
    NxbacUnknownEdProp,
    /// Error in encap or decap property
    NxbacBadEdProp,
    /// Action requires connection tracking or a particular connection-tracking based feature that the datapath in use does not support. If a kernel-based datapath is in use, the kernel module may need to be upgraded
    NxbacCtDatapathSupport,
    /// Unknown instruction
    OfpbicUnknownInst,
    /// Switch or table does not support the instruction
    OfpbicUnsupInst,
    /// Invalid Table-ID specified
    OfpbicBadTableId,
    /// Metadata value unsupported by datapath
    OfpbicUnsupMetadata,
    /// Metadata mask value unsupported by datapath
    OfpbicUnsupMetadataMask,
    /// Unknown experimenter id specified
    OfpbicBadExperimenter,
    /// Unknown instruction for experimenter id
    OfpbicBadExpType,
    /// Length problem in instructions
    OfpbicBadLen,
    /// Permissions error
    OfpbicEperm,
    /// Duplicate instruction
    OfpbicDupInst,
    /// Unsupported match type specified by the match
    OfpbmcBadType,
    /// Length problem in match
    OfpbmcBadLen,
    /// Match uses an unsupported tag/encap
    OfpbmcBadTag,
    /// Unsupported datalink addr mask - switch does not support arbitrary datalink address mask
    OfpbmcBadDlAddrMask,
    /// Unsupported network addr mask - switch does not support arbitrary network address mask
    OfpbmcBadNwAddrMask,
    /// Unsupported wildcard specified in the match
    OfpbmcBadWildcards,
    /// Unsupported field in the match
    OfpbmcBadField,
    /// Unsupported value in a match field
    OfpbmcBadValue,
    /// Unsupported mask specified in the match
    OfpbmcBadMask,
    /// A prerequisite was not met
    OfpbmcBadPrereq,
    /// A field type was duplicated
    OfpbmcDupField,
    /// Permissions error
    OfpbmcEperm,
    /// Flow match requires connection tracking or a particular connection-tracking based feature that the datapath in use does not support. If a kernel-based datapath is in use, the kernel module may need to be upgraded
    NxbmcCtDatapathSupport,
    /// Unspecified error
    OfpfmfcUnknown,
    /// Flow not added because of full table(s)
    OfpfmfcTableFull,
    /// Table does not exist
    OfpfmfcBadTableId,
    /// Attempted to add overlapping flow with CHECK_OVERLAP flag set
    OfpfmfcOverlap,
    /// Permissions error
    OfpfmfcEperm,
    /// Flow not added because of unsupported idle/hard timeout
    OfpfmfcBadTimeout,
    /// Flow not added because of non-zero idle/hard timeout
    OfpfmfcBadEmergTimeout,
    /// Unsupported or unknown command
    OfpfmfcBadCommand,
    /// Unsupported or unknown flags
    OfpfmfcBadFlags,
    /// Problem in table synchronization
    OfpfmfcCantSync,
    /// Unsupported priority value
    OfpfmfcBadPriority,
    /// Synchronized flow entry is read only
    OfpfmfcIsSync,
    /// Unsupported action list - cannot process in the order specified
    OfpfmfcUnsupported,
    /// Generic hardware error
    NxfmfcHardware,
    /// A nonexistent table ID was specified in the "command" field of struct ofp_flow_mod, when the nxt_flow_mod_table_id extension is enabled
    NxfmfcBadTableId,
    /// Attempted to add a flow with an invalid variable length meta-flow field
    NxfmfcInvalidTlvField,
    /// Group not added because a group ADD attempted to replace an already-present group
    OfpgmfcGroupExists,
    /// Group not added because Group specified is invalid
    OfpgmfcInvalidGroup,
    /// Switch does not support unequal load sharing with select groups
    OfpgmfcWeightUnsupported,
    /// The group table is full
    OfpgmfcOutOfGroups,
    /// The maximum number of action buckets for a group has been exceeded
    OfpgmfcOutOfBuckets,
    /// Switch does not support groups that forward to groups
    OfpgmfcChainingUnsupported,
    /// This group cannot watch the watch_port or watch_group specified
    OfpgmfcWatchUnsupported,
    /// Group entry would cause a loop
    OfpgmfcLoop,
    /// Group not modified because a group MODIFY attempted to modify a non-existent group
    OfpgmfcUnknownGroup,
    /// Group not deleted because another group is forwarding to it
    OfpgmfcChainedGroup,
    /// Unsupported or unknown group type
    OfpgmfcBadType,
    /// Unsupported or unknown command
    OfpgmfcBadCommand,
    /// Error in bucket
    OfpgmfcBadBucket,
    /// Error in watch port/group
    OfpgmfcBadWatch,
    /// Permissions error
    OfpgmfcEperm,
    /// Invalid bucket identifier used in INSERT BUCKET or REMOVE BUCKET command
    OfpgmfcUnknownBucket,
    /// Can't insert bucket because a bucket already exist with that bucket-id
    OfpgmfcBucketExists,
    /// Specified port does not exist
    OfppmfcBadPort,
    /// Specified hardware address does not match the port number
    OfppmfcBadHwAddr,
    /// Specified config is invalid
    OfppmfcBadConfig,
    /// Specified advertise is invalid
    OfppmfcBadAdvertise,
    /// Permissions error
    OfppmfcEperm,
    /// Specified table does not exist
    OfptmfcBadTable,
    /// Specified config is invalid
    OfptmfcBadConfig,
    /// Permissions error
    OfptmfcEperm,
    /// Invalid port (or port does not exist)
    OfpqofcBadPort,
    /// Queue does not exist
    OfpqofcBadQueue,
    /// Permissions error
    OfpqofcEperm,
    /// System error retrieving queue details
    NxqofcQueueError,
    /// Specified flags is invalid
    OfpscfcBadFlags,
    /// Specified len is invalid
    OfpscfcBadLen,
    /// Permissions error
    OfpscfcEperm,
    /// Stale Message: old generation_id
    OfprrfcStale,
    /// Controller role change unsupported
    OfprrfcUnsup,
    /// Invalid role
    OfprrfcBadRole,
    /// Switch doesn't support changing ID
    OfprrfcIdUnsup,
    /// Requested ID is in use
    OfprrfcIdInUse,
    /// Unspecified error
    OfpmmfcUnknown,
    /// Meter not added because a Meter ADD attempted to replace an existing Meter
    OfpmmfcMeterExists,
    /// Meter not added because meter specified is invalid, or invalid meter in meter action
    OfpmmfcInvalidMeter,
    /// Meter not modified because a Meter MODIFY attempted to modify a non-existent meter, or bad meter in meter action
    OfpmmfcUnknownMeter,
    /// Unsupported or unknown command
    OfpmmfcBadCommand,
    /// Flag configuration unsupported
    OfpmmfcBadFlags,
    /// Rate unsupported
    OfpmmfcBadRate,
    /// Burst size unsupported
    OfpmmfcBadBurst,
    /// Band unsupported
    OfpmmfcBadBand,
    /// Band value unsupported
    OfpmmfcBadBandValue,
    /// No more meters available
    OfpmmfcOutOfMeters,
    /// The maximum number of properties for a meter has been exceeded
    OfpmmfcOutOfBands,
    /// Specified table does not exist
    OfptffcBadTable,
    /// Invalid metadata mask
    OfptffcBadMetadata,
    /// Permissions error
    OfptffcEperm,
    /// Invalid capability field
    OfptffcBadCapa,
    /// Invalid max_entries field
    OfptffcBadMaxEnt,
    /// Invalid features field
    OfptffcBadFeatures,
    /// Invalid command
    OfptffcBadCommand,
    /// Can't handle this many flow tables
    OfptffcTooMany,
    /// Table specified multiple times
    NxtffcDupTable,
    /// Unknown or unsupported property type. \[Known as OFPTFFC_BAD_TYPE in OF1.3.\]
    OfpbpcBadType,
    /// Length problem in property. \[Known as OFPTFFC_BAD_LEN in OF1.3.\]
    OfpbpcBadLen,
    /// Unsupported property value. \[Known as OFPTFFC_BAD_ARGUMENT in OF1.3.\]
    OfpbpcBadValue,
    /// Can't handle this many properties
    OfpbpcTooMany,
    /// A property type was duplicated
    OfpbpcDupType,
    /// Unknown experimenter id specified
    OfpbpcBadExperimenter,
    /// Unknown exp_type for experimenter id
    OfpbpcBadExpType,
    /// Unknown value for experimenter id
    OfpbpcBadExpValue,
    /// Permissions error
    OfpbpcEperm,
    /// One mask is invalid
    OfpacfcInvalid,
    /// Requested configuration not supported
    OfpacfcUnsupported,
    /// Permissions error
    OfpacfcEperm,
    /// Unspecified error
    OfpbfcUnknown,
    /// Permissions error
    OfpbfcEperm,
    /// Bundle ID doesn't exist
    OfpbfcBadId,
    /// Bundle ID already exists
    OfpbfcBundleExist,
    /// Bundle ID is closed
    OfpbfcBundleClosed,
    /// Too many bundle IDs
    OfpbfcOutOfBundles,
    /// Unsupported of unknown message control type
    OfpbfcBadType,
    /// Unsupported, unknown, or inconsistent flags
    OfpbfcBadFlags,
    /// Length problem in included message
    OfpbfcMsgBadLen,
    /// Inconsistent or duplicate XID
    OfpbfcMsgBadXid,
    /// Unsupported message in this bundle
    OfpbfcMsgUnsup,
    /// Unsupported message combination in this bundle
    OfpbfcMsgConflict,
    /// Cant handle this many messages in bundle
    OfpbfcMsgTooMany,
    /// One message in bundle failed
    OfpbfcMsgFailed,
    /// Bundle is taking too long
    OfpbfcTimeout,
    /// Bundle is locking the resource
    OfpbfcBundleInProgress,
    /// Scheduled commit was received and scheduling is not supported
    OfpbfcSchedNotSupported,
    /// Scheduled commit time exceeds upper bound
    OfpbfcSchedFuture,
    /// Scheduled commit time exceeds lower bound
    OfpbfcSchedPast,
    /// In an OFPT_BUNDLE_ADD_MESSAGE, the OpenFlow version in the inner and outer messages differ
    OfpbfcBadVersion,
    /// Unspecified error
    OfpmofcUnknown,
    /// Monitor not added because a Monitor ADD attempted to replace an existing Monitor
    OfpmofcMonitorExists,
    /// Monitor not added because Monitor specified is invalid
    OfpmofcInvalidMonitor,
    /// Monitor not modified because a Monitor MODIFY attempted to modify a non-existent Monitor
    OfpmofcUnknownMonitor,
    /// Unsupported or unknown command
    OfpmofcBadCommand,
    /// Flag configuration unsupported
    OfpmofcBadFlags,
    /// Specified table does not exist
    OfpmofcBadTableId,
    /// Error in output port/group
    OfpmofcBadOut,
    /// The TLV table mod command is not recognized as a valid operation
    NxttmfcBadCommand,
    /// The option length is not a valid option size for TLVs
    NxttmfcBadOptLen,
    /// The field index is out of range for the supported NX_TUN_METADATA<n> match
    NxttmfcBadFieldIdx,
    /// The total set of configured options exceeds the maximum supported by the switch
    NxttmfcTableFull,
    /// The controller issued an NXTTMC_ADD command for a field index that is already mapped
    NxttmfcAlreadyMapped,
    /// The option TLV that is attempting to be mapped is the same as one assigned to a different field
    NxttmfcDupEntry,
    /// Attempted to delete a TLV mapping that is used by any active flow
    NxttmfcInvalidTlvDel,
    /// This datapath doesn't support NXT_RESUME
    NxrNotSupported,
    /// Continuation is stale: Open vSwitch process has been restarted or bridge has been destroyed since continuation was generated, or continuation was not generated by this Open vSwitch instance
    NxrStale,
    /// Protocol is not configured on this Open vSwitch instance
    NxstNotConfigured,
}

/// `(error, OVS name, encodings)` for every [`OfpErr`], in declaration order.
pub(crate) static ERRORS: [(OfpErr, &str, &[ErrorEncoding]); 198] = [
    (
        OfpErr::OfphfcIncompatible,
        "OFPHFC_INCOMPATIBLE",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 1,
            max_version: 6,
            err_type: 0,
            code: 0,
        }],
    ),
    (
        OfpErr::OfphfcEperm,
        "OFPHFC_EPERM",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 1,
            max_version: 6,
            err_type: 0,
            code: 1,
        }],
    ),
    (
        OfpErr::OfpbrcBadVersion,
        "OFPBRC_BAD_VERSION",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 1,
            max_version: 6,
            err_type: 1,
            code: 0,
        }],
    ),
    (
        OfpErr::OfpbrcBadType,
        "OFPBRC_BAD_TYPE",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 1,
            max_version: 6,
            err_type: 1,
            code: 1,
        }],
    ),
    (
        OfpErr::OfpbrcBadStat,
        "OFPBRC_BAD_STAT",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 1,
            max_version: 6,
            err_type: 1,
            code: 2,
        }],
    ),
    (
        OfpErr::OfpbrcBadVendor,
        "OFPBRC_BAD_VENDOR",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 1,
            max_version: 6,
            err_type: 1,
            code: 3,
        }],
    ),
    (
        OfpErr::OfpbrcBadSubtype,
        "OFPBRC_BAD_SUBTYPE",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 1,
            max_version: 6,
            err_type: 1,
            code: 4,
        }],
    ),
    (
        OfpErr::OfpbrcEperm,
        "OFPBRC_EPERM",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 1,
            max_version: 6,
            err_type: 1,
            code: 5,
        }],
    ),
    (
        OfpErr::OfpbrcBadLen,
        "OFPBRC_BAD_LEN",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 1,
            max_version: 6,
            err_type: 1,
            code: 6,
        }],
    ),
    (
        OfpErr::OfpbrcBufferEmpty,
        "OFPBRC_BUFFER_EMPTY",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 1,
            max_version: 6,
            err_type: 1,
            code: 7,
        }],
    ),
    (
        OfpErr::OfpbrcBufferUnknown,
        "OFPBRC_BUFFER_UNKNOWN",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 1,
            max_version: 6,
            err_type: 1,
            code: 8,
        }],
    ),
    (
        OfpErr::OfpbrcBadTableId,
        "OFPBRC_BAD_TABLE_ID",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 1,
                err_type: 1,
                code: 512,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 2,
                max_version: 6,
                err_type: 1,
                code: 9,
            },
        ],
    ),
    (
        OfpErr::OfpbrcIsSecondary,
        "OFPBRC_IS_SECONDARY",
        &[
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 1,
                max_version: 2,
                err_type: 1,
                code: 5,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 3,
                max_version: 6,
                err_type: 1,
                code: 10,
            },
        ],
    ),
    (
        OfpErr::OfpbrcBadPort,
        "OFPBRC_BAD_PORT",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 2,
                err_type: 1,
                code: 514,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 3,
                max_version: 6,
                err_type: 1,
                code: 11,
            },
        ],
    ),
    (
        OfpErr::OfpbrcBadPacket,
        "OFPBRC_BAD_PACKET",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 3,
            max_version: 6,
            err_type: 1,
            code: 12,
        }],
    ),
    (
        OfpErr::OfpbrcMultipartBufferOverflow,
        "OFPBRC_MULTIPART_BUFFER_OVERFLOW",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 4,
            max_version: 6,
            err_type: 1,
            code: 13,
        }],
    ),
    (
        OfpErr::OfpbrcMultipartRequestTimeout,
        "OFPBRC_MULTIPART_REQUEST_TIMEOUT",
        &[
            ErrorEncoding {
                vendor: 0x4f4e4600,
                min_version: 4,
                max_version: 4,
                err_type: 65535,
                code: 2640,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 5,
                max_version: 6,
                err_type: 1,
                code: 14,
            },
        ],
    ),
    (
        OfpErr::OfpbrcMultipartReplyTimeout,
        "OFPBRC_MULTIPART_REPLY_TIMEOUT",
        &[
            ErrorEncoding {
                vendor: 0x4f4e4600,
                min_version: 4,
                max_version: 4,
                err_type: 65535,
                code: 2641,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 5,
                max_version: 6,
                err_type: 1,
                code: 15,
            },
        ],
    ),
    (
        OfpErr::OfpbrcMultipartBadSched,
        "OFPBRC_MULTIPART_BAD_SCHED",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 6,
            max_version: 6,
            err_type: 1,
            code: 16,
        }],
    ),
    (
        OfpErr::OfpbrcPipelineFieldsOnly,
        "OFPBRC_PIPELINE_FIELDS_ONLY",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 6,
            max_version: 6,
            err_type: 1,
            code: 17,
        }],
    ),
    (
        OfpErr::OfpbrcUnknown,
        "OFPBRC_UNKNOWN",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 6,
            max_version: 6,
            err_type: 1,
            code: 18,
        }],
    ),
    (
        OfpErr::NxbrcNxmInvalid,
        "NXBRC_NXM_INVALID",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 2,
                err_type: 1,
                code: 256,
            },
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 3,
                max_version: 6,
                err_type: 65535,
                code: 2,
            },
        ],
    ),
    (
        OfpErr::NxbrcNxmBadType,
        "NXBRC_NXM_BAD_TYPE",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 2,
                err_type: 1,
                code: 257,
            },
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 3,
                max_version: 6,
                err_type: 65535,
                code: 3,
            },
        ],
    ),
    (
        OfpErr::NxbrcMustBeZero,
        "NXBRC_MUST_BE_ZERO",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 2,
                err_type: 1,
                code: 515,
            },
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 3,
                max_version: 6,
                err_type: 65535,
                code: 4,
            },
        ],
    ),
    (
        OfpErr::NxbrcBadReason,
        "NXBRC_BAD_REASON",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 2,
                err_type: 1,
                code: 516,
            },
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 3,
                max_version: 6,
                err_type: 65535,
                code: 5,
            },
        ],
    ),
    (
        OfpErr::NxbrcFmBadEvent,
        "NXBRC_FM_BAD_EVENT",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 2,
                err_type: 1,
                code: 520,
            },
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 3,
                max_version: 6,
                err_type: 65535,
                code: 9,
            },
        ],
    ),
    (
        OfpErr::NxbrcUnencodableError,
        "NXBRC_UNENCODABLE_ERROR",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 2,
                err_type: 1,
                code: 521,
            },
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 3,
                max_version: 6,
                err_type: 65535,
                code: 10,
            },
        ],
    ),
    (
        OfpErr::OfpbacBadType,
        "OFPBAC_BAD_TYPE",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 1,
            max_version: 6,
            err_type: 2,
            code: 0,
        }],
    ),
    (
        OfpErr::OfpbacBadLen,
        "OFPBAC_BAD_LEN",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 1,
            max_version: 6,
            err_type: 2,
            code: 1,
        }],
    ),
    (
        OfpErr::OfpbacBadVendor,
        "OFPBAC_BAD_VENDOR",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 1,
            max_version: 6,
            err_type: 2,
            code: 2,
        }],
    ),
    (
        OfpErr::OfpbacBadVendorType,
        "OFPBAC_BAD_VENDOR_TYPE",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 1,
            max_version: 6,
            err_type: 2,
            code: 3,
        }],
    ),
    (
        OfpErr::OfpbacBadOutPort,
        "OFPBAC_BAD_OUT_PORT",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 1,
            max_version: 6,
            err_type: 2,
            code: 4,
        }],
    ),
    (
        OfpErr::OfpbacBadArgument,
        "OFPBAC_BAD_ARGUMENT",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 1,
            max_version: 6,
            err_type: 2,
            code: 5,
        }],
    ),
    (
        OfpErr::OfpbacEperm,
        "OFPBAC_EPERM",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 1,
            max_version: 6,
            err_type: 2,
            code: 6,
        }],
    ),
    (
        OfpErr::OfpbacTooMany,
        "OFPBAC_TOO_MANY",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 1,
            max_version: 6,
            err_type: 2,
            code: 7,
        }],
    ),
    (
        OfpErr::OfpbacBadQueue,
        "OFPBAC_BAD_QUEUE",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 1,
            max_version: 6,
            err_type: 2,
            code: 8,
        }],
    ),
    (
        OfpErr::OfpbacBadOutGroup,
        "OFPBAC_BAD_OUT_GROUP",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 1,
                err_type: 2,
                code: 9,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 2,
                max_version: 6,
                err_type: 2,
                code: 9,
            },
        ],
    ),
    (
        OfpErr::OfpbacMatchInconsistent,
        "OFPBAC_MATCH_INCONSISTENT",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 1,
                err_type: 1,
                code: 522,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 2,
                max_version: 6,
                err_type: 2,
                code: 10,
            },
        ],
    ),
    (
        OfpErr::OfpbacUnsupportedOrder,
        "OFPBAC_UNSUPPORTED_ORDER",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 2,
            max_version: 6,
            err_type: 2,
            code: 11,
        }],
    ),
    (
        OfpErr::OfpbacBadTag,
        "OFPBAC_BAD_TAG",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 2,
            max_version: 6,
            err_type: 2,
            code: 12,
        }],
    ),
    (
        OfpErr::OfpbacBadSetType,
        "OFPBAC_BAD_SET_TYPE",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 2,
                err_type: 1,
                code: 523,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 3,
                max_version: 6,
                err_type: 2,
                code: 13,
            },
        ],
    ),
    (
        OfpErr::OfpbacBadSetLen,
        "OFPBAC_BAD_SET_LEN",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 2,
                err_type: 1,
                code: 524,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 3,
                max_version: 6,
                err_type: 2,
                code: 14,
            },
        ],
    ),
    (
        OfpErr::OfpbacBadSetArgument,
        "OFPBAC_BAD_SET_ARGUMENT",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 2,
                err_type: 1,
                code: 525,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 3,
                max_version: 6,
                err_type: 2,
                code: 15,
            },
        ],
    ),
    (
        OfpErr::OfpbacBadSetMask,
        "OFPBAC_BAD_SET_MASK",
        &[
            ErrorEncoding {
                vendor: 0x4f4e4600,
                min_version: 4,
                max_version: 5,
                err_type: 65535,
                code: 4250,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 6,
                max_version: 6,
                err_type: 2,
                code: 16,
            },
        ],
    ),
    (
        OfpErr::OfpbacBadMeter,
        "OFPBAC_BAD_METER",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 6,
            max_version: 6,
            err_type: 2,
            code: 17,
        }],
    ),
    (
        OfpErr::NxbacMustBeZero,
        "NXBAC_MUST_BE_ZERO",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 2,
                err_type: 2,
                code: 256,
            },
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 3,
                max_version: 6,
                err_type: 65535,
                code: 11,
            },
        ],
    ),
    (
        OfpErr::NxbacBadConjunction,
        "NXBAC_BAD_CONJUNCTION",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 2,
                err_type: 2,
                code: 526,
            },
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 3,
                max_version: 6,
                err_type: 65535,
                code: 15,
            },
        ],
    ),
    (
        OfpErr::NxbacBadHeaderType,
        "NXBAC_BAD_HEADER_TYPE",
        &[ErrorEncoding {
            vendor: 0x00002320,
            min_version: 4,
            max_version: 6,
            err_type: 65535,
            code: 39,
        }],
    ),
    (
        OfpErr::NxbacUnknownEdProp,
        "NXBAC_UNKNOWN_ED_PROP",
        &[ErrorEncoding {
            vendor: 0x00002320,
            min_version: 4,
            max_version: 6,
            err_type: 65535,
            code: 40,
        }],
    ),
    (
        OfpErr::NxbacBadEdProp,
        "NXBAC_BAD_ED_PROP",
        &[ErrorEncoding {
            vendor: 0x00002320,
            min_version: 4,
            max_version: 6,
            err_type: 65535,
            code: 41,
        }],
    ),
    (
        OfpErr::NxbacCtDatapathSupport,
        "NXBAC_CT_DATAPATH_SUPPORT",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 2,
                err_type: 1,
                code: 265,
            },
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 3,
                max_version: 6,
                err_type: 65535,
                code: 42,
            },
        ],
    ),
    (
        OfpErr::OfpbicUnknownInst,
        "OFPBIC_UNKNOWN_INST",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 2,
            max_version: 6,
            err_type: 3,
            code: 0,
        }],
    ),
    (
        OfpErr::OfpbicUnsupInst,
        "OFPBIC_UNSUP_INST",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 1,
                err_type: 2,
                code: 257,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 2,
                max_version: 6,
                err_type: 3,
                code: 1,
            },
        ],
    ),
    (
        OfpErr::OfpbicBadTableId,
        "OFPBIC_BAD_TABLE_ID",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 2,
            max_version: 6,
            err_type: 3,
            code: 2,
        }],
    ),
    (
        OfpErr::OfpbicUnsupMetadata,
        "OFPBIC_UNSUP_METADATA",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 2,
            max_version: 6,
            err_type: 3,
            code: 3,
        }],
    ),
    (
        OfpErr::OfpbicUnsupMetadataMask,
        "OFPBIC_UNSUP_METADATA_MASK",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 2,
            max_version: 6,
            err_type: 3,
            code: 4,
        }],
    ),
    (
        OfpErr::OfpbicBadExperimenter,
        "OFPBIC_BAD_EXPERIMENTER",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 2,
            max_version: 6,
            err_type: 3,
            code: 5,
        }],
    ),
    (
        OfpErr::OfpbicBadExpType,
        "OFPBIC_BAD_EXP_TYPE",
        &[
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 2,
                max_version: 2,
                err_type: 3,
                code: 5,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 3,
                max_version: 6,
                err_type: 3,
                code: 6,
            },
        ],
    ),
    (
        OfpErr::OfpbicBadLen,
        "OFPBIC_BAD_LEN",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 3,
            max_version: 6,
            err_type: 3,
            code: 7,
        }],
    ),
    (
        OfpErr::OfpbicEperm,
        "OFPBIC_EPERM",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 3,
            max_version: 6,
            err_type: 3,
            code: 8,
        }],
    ),
    (
        OfpErr::OfpbicDupInst,
        "OFPBIC_DUP_INST",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 2,
                max_version: 2,
                err_type: 3,
                code: 256,
            },
            ErrorEncoding {
                vendor: 0x4f4e4600,
                min_version: 3,
                max_version: 4,
                err_type: 65535,
                code: 2600,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 5,
                max_version: 6,
                err_type: 3,
                code: 9,
            },
        ],
    ),
    (
        OfpErr::OfpbmcBadType,
        "OFPBMC_BAD_TYPE",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 2,
            max_version: 6,
            err_type: 4,
            code: 0,
        }],
    ),
    (
        OfpErr::OfpbmcBadLen,
        "OFPBMC_BAD_LEN",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 2,
            max_version: 6,
            err_type: 4,
            code: 1,
        }],
    ),
    (
        OfpErr::OfpbmcBadTag,
        "OFPBMC_BAD_TAG",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 2,
            max_version: 6,
            err_type: 4,
            code: 2,
        }],
    ),
    (
        OfpErr::OfpbmcBadDlAddrMask,
        "OFPBMC_BAD_DL_ADDR_MASK",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 2,
            max_version: 6,
            err_type: 4,
            code: 3,
        }],
    ),
    (
        OfpErr::OfpbmcBadNwAddrMask,
        "OFPBMC_BAD_NW_ADDR_MASK",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 2,
            max_version: 6,
            err_type: 4,
            code: 4,
        }],
    ),
    (
        OfpErr::OfpbmcBadWildcards,
        "OFPBMC_BAD_WILDCARDS",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 1,
                err_type: 1,
                code: 262,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 2,
                max_version: 6,
                err_type: 4,
                code: 5,
            },
        ],
    ),
    (
        OfpErr::OfpbmcBadField,
        "OFPBMC_BAD_FIELD",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 1,
                err_type: 0,
                code: 263,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 2,
                max_version: 6,
                err_type: 4,
                code: 6,
            },
        ],
    ),
    (
        OfpErr::OfpbmcBadValue,
        "OFPBMC_BAD_VALUE",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 1,
                err_type: 1,
                code: 258,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 2,
                max_version: 6,
                err_type: 4,
                code: 7,
            },
        ],
    ),
    (
        OfpErr::OfpbmcBadMask,
        "OFPBMC_BAD_MASK",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 2,
                err_type: 1,
                code: 259,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 3,
                max_version: 6,
                err_type: 4,
                code: 8,
            },
        ],
    ),
    (
        OfpErr::OfpbmcBadPrereq,
        "OFPBMC_BAD_PREREQ",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 2,
                err_type: 1,
                code: 260,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 3,
                max_version: 6,
                err_type: 4,
                code: 9,
            },
        ],
    ),
    (
        OfpErr::OfpbmcDupField,
        "OFPBMC_DUP_FIELD",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 2,
                err_type: 1,
                code: 261,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 3,
                max_version: 6,
                err_type: 4,
                code: 10,
            },
        ],
    ),
    (
        OfpErr::OfpbmcEperm,
        "OFPBMC_EPERM",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 3,
            max_version: 6,
            err_type: 4,
            code: 11,
        }],
    ),
    (
        OfpErr::NxbmcCtDatapathSupport,
        "NXBMC_CT_DATAPATH_SUPPORT",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 2,
                err_type: 1,
                code: 264,
            },
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 3,
                max_version: 6,
                err_type: 65535,
                code: 43,
            },
        ],
    ),
    (
        OfpErr::OfpfmfcUnknown,
        "OFPFMFC_UNKNOWN",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 2,
            max_version: 6,
            err_type: 5,
            code: 0,
        }],
    ),
    (
        OfpErr::OfpfmfcTableFull,
        "OFPFMFC_TABLE_FULL",
        &[
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 1,
                max_version: 1,
                err_type: 3,
                code: 0,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 2,
                max_version: 6,
                err_type: 5,
                code: 1,
            },
        ],
    ),
    (
        OfpErr::OfpfmfcBadTableId,
        "OFPFMFC_BAD_TABLE_ID",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 2,
            max_version: 6,
            err_type: 5,
            code: 2,
        }],
    ),
    (
        OfpErr::OfpfmfcOverlap,
        "OFPFMFC_OVERLAP",
        &[
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 1,
                max_version: 1,
                err_type: 3,
                code: 1,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 2,
                max_version: 6,
                err_type: 5,
                code: 3,
            },
        ],
    ),
    (
        OfpErr::OfpfmfcEperm,
        "OFPFMFC_EPERM",
        &[
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 1,
                max_version: 1,
                err_type: 3,
                code: 2,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 2,
                max_version: 6,
                err_type: 5,
                code: 4,
            },
        ],
    ),
    (
        OfpErr::OfpfmfcBadTimeout,
        "OFPFMFC_BAD_TIMEOUT",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 2,
            max_version: 6,
            err_type: 5,
            code: 5,
        }],
    ),
    (
        OfpErr::OfpfmfcBadEmergTimeout,
        "OFPFMFC_BAD_EMERG_TIMEOUT",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 1,
            max_version: 1,
            err_type: 3,
            code: 3,
        }],
    ),
    (
        OfpErr::OfpfmfcBadCommand,
        "OFPFMFC_BAD_COMMAND",
        &[
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 1,
                max_version: 1,
                err_type: 3,
                code: 4,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 2,
                max_version: 6,
                err_type: 5,
                code: 6,
            },
        ],
    ),
    (
        OfpErr::OfpfmfcBadFlags,
        "OFPFMFC_BAD_FLAGS",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 1,
                err_type: 3,
                code: 258,
            },
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 2,
                max_version: 2,
                err_type: 5,
                code: 258,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 3,
                max_version: 6,
                err_type: 5,
                code: 7,
            },
        ],
    ),
    (
        OfpErr::OfpfmfcCantSync,
        "OFPFMFC_CANT_SYNC",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 5,
            max_version: 6,
            err_type: 5,
            code: 8,
        }],
    ),
    (
        OfpErr::OfpfmfcBadPriority,
        "OFPFMFC_BAD_PRIORITY",
        &[
            ErrorEncoding {
                vendor: 0x4f4e4600,
                min_version: 4,
                max_version: 4,
                err_type: 65535,
                code: 2360,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 5,
                max_version: 6,
                err_type: 5,
                code: 9,
            },
        ],
    ),
    (
        OfpErr::OfpfmfcIsSync,
        "OFPFMFC_IS_SYNC",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 5,
            max_version: 6,
            err_type: 5,
            code: 10,
        }],
    ),
    (
        OfpErr::OfpfmfcUnsupported,
        "OFPFMFC_UNSUPPORTED",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 1,
            max_version: 1,
            err_type: 3,
            code: 5,
        }],
    ),
    (
        OfpErr::NxfmfcHardware,
        "NXFMFC_HARDWARE",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 2,
                err_type: 5,
                code: 256,
            },
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 3,
                max_version: 6,
                err_type: 65535,
                code: 12,
            },
        ],
    ),
    (
        OfpErr::NxfmfcBadTableId,
        "NXFMFC_BAD_TABLE_ID",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 2,
                err_type: 5,
                code: 257,
            },
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 3,
                max_version: 6,
                err_type: 65535,
                code: 13,
            },
        ],
    ),
    (
        OfpErr::NxfmfcInvalidTlvField,
        "NXFMFC_INVALID_TLV_FIELD",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 2,
                err_type: 1,
                code: 536,
            },
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 3,
                max_version: 6,
                err_type: 65535,
                code: 37,
            },
        ],
    ),
    (
        OfpErr::OfpgmfcGroupExists,
        "OFPGMFC_GROUP_EXISTS",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 1,
                err_type: 6,
                code: 0,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 2,
                max_version: 6,
                err_type: 6,
                code: 0,
            },
        ],
    ),
    (
        OfpErr::OfpgmfcInvalidGroup,
        "OFPGMFC_INVALID_GROUP",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 1,
                err_type: 6,
                code: 1,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 2,
                max_version: 6,
                err_type: 6,
                code: 1,
            },
        ],
    ),
    (
        OfpErr::OfpgmfcWeightUnsupported,
        "OFPGMFC_WEIGHT_UNSUPPORTED",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 1,
                err_type: 6,
                code: 2,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 2,
                max_version: 6,
                err_type: 6,
                code: 2,
            },
        ],
    ),
    (
        OfpErr::OfpgmfcOutOfGroups,
        "OFPGMFC_OUT_OF_GROUPS",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 1,
                err_type: 6,
                code: 3,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 2,
                max_version: 6,
                err_type: 6,
                code: 3,
            },
        ],
    ),
    (
        OfpErr::OfpgmfcOutOfBuckets,
        "OFPGMFC_OUT_OF_BUCKETS",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 1,
                err_type: 6,
                code: 4,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 2,
                max_version: 6,
                err_type: 6,
                code: 4,
            },
        ],
    ),
    (
        OfpErr::OfpgmfcChainingUnsupported,
        "OFPGMFC_CHAINING_UNSUPPORTED",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 1,
                err_type: 6,
                code: 5,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 2,
                max_version: 6,
                err_type: 6,
                code: 5,
            },
        ],
    ),
    (
        OfpErr::OfpgmfcWatchUnsupported,
        "OFPGMFC_WATCH_UNSUPPORTED",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 1,
                err_type: 6,
                code: 6,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 2,
                max_version: 6,
                err_type: 6,
                code: 6,
            },
        ],
    ),
    (
        OfpErr::OfpgmfcLoop,
        "OFPGMFC_LOOP",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 1,
                err_type: 6,
                code: 7,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 2,
                max_version: 6,
                err_type: 6,
                code: 7,
            },
        ],
    ),
    (
        OfpErr::OfpgmfcUnknownGroup,
        "OFPGMFC_UNKNOWN_GROUP",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 1,
                err_type: 6,
                code: 8,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 2,
                max_version: 6,
                err_type: 6,
                code: 8,
            },
        ],
    ),
    (
        OfpErr::OfpgmfcChainedGroup,
        "OFPGMFC_CHAINED_GROUP",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 1,
                err_type: 6,
                code: 9,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 3,
                max_version: 6,
                err_type: 6,
                code: 9,
            },
        ],
    ),
    (
        OfpErr::OfpgmfcBadType,
        "OFPGMFC_BAD_TYPE",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 1,
                err_type: 6,
                code: 10,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 3,
                max_version: 6,
                err_type: 6,
                code: 10,
            },
        ],
    ),
    (
        OfpErr::OfpgmfcBadCommand,
        "OFPGMFC_BAD_COMMAND",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 1,
                err_type: 6,
                code: 11,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 3,
                max_version: 6,
                err_type: 6,
                code: 11,
            },
        ],
    ),
    (
        OfpErr::OfpgmfcBadBucket,
        "OFPGMFC_BAD_BUCKET",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 1,
                err_type: 6,
                code: 12,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 3,
                max_version: 6,
                err_type: 6,
                code: 12,
            },
        ],
    ),
    (
        OfpErr::OfpgmfcBadWatch,
        "OFPGMFC_BAD_WATCH",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 1,
                err_type: 6,
                code: 13,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 3,
                max_version: 6,
                err_type: 6,
                code: 13,
            },
        ],
    ),
    (
        OfpErr::OfpgmfcEperm,
        "OFPGMFC_EPERM",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 1,
                err_type: 6,
                code: 14,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 3,
                max_version: 6,
                err_type: 6,
                code: 14,
            },
        ],
    ),
    (
        OfpErr::OfpgmfcUnknownBucket,
        "OFPGMFC_UNKNOWN_BUCKET",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 1,
                err_type: 6,
                code: 15,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 6,
                max_version: 6,
                err_type: 6,
                code: 15,
            },
        ],
    ),
    (
        OfpErr::OfpgmfcBucketExists,
        "OFPGMFC_BUCKET_EXISTS",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 1,
                err_type: 6,
                code: 16,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 6,
                max_version: 6,
                err_type: 6,
                code: 16,
            },
        ],
    ),
    (
        OfpErr::OfppmfcBadPort,
        "OFPPMFC_BAD_PORT",
        &[
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 1,
                max_version: 1,
                err_type: 4,
                code: 0,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 2,
                max_version: 6,
                err_type: 7,
                code: 0,
            },
        ],
    ),
    (
        OfpErr::OfppmfcBadHwAddr,
        "OFPPMFC_BAD_HW_ADDR",
        &[
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 1,
                max_version: 1,
                err_type: 4,
                code: 1,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 2,
                max_version: 6,
                err_type: 7,
                code: 1,
            },
        ],
    ),
    (
        OfpErr::OfppmfcBadConfig,
        "OFPPMFC_BAD_CONFIG",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 2,
            max_version: 6,
            err_type: 7,
            code: 2,
        }],
    ),
    (
        OfpErr::OfppmfcBadAdvertise,
        "OFPPMFC_BAD_ADVERTISE",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 2,
            max_version: 6,
            err_type: 7,
            code: 3,
        }],
    ),
    (
        OfpErr::OfppmfcEperm,
        "OFPPMFC_EPERM",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 3,
            max_version: 6,
            err_type: 7,
            code: 4,
        }],
    ),
    (
        OfpErr::OfptmfcBadTable,
        "OFPTMFC_BAD_TABLE",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 2,
            max_version: 6,
            err_type: 8,
            code: 0,
        }],
    ),
    (
        OfpErr::OfptmfcBadConfig,
        "OFPTMFC_BAD_CONFIG",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 2,
            max_version: 6,
            err_type: 8,
            code: 1,
        }],
    ),
    (
        OfpErr::OfptmfcEperm,
        "OFPTMFC_EPERM",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 3,
            max_version: 6,
            err_type: 8,
            code: 2,
        }],
    ),
    (
        OfpErr::OfpqofcBadPort,
        "OFPQOFC_BAD_PORT",
        &[
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 1,
                max_version: 1,
                err_type: 5,
                code: 0,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 2,
                max_version: 6,
                err_type: 9,
                code: 0,
            },
        ],
    ),
    (
        OfpErr::OfpqofcBadQueue,
        "OFPQOFC_BAD_QUEUE",
        &[
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 1,
                max_version: 1,
                err_type: 5,
                code: 1,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 2,
                max_version: 6,
                err_type: 9,
                code: 1,
            },
        ],
    ),
    (
        OfpErr::OfpqofcEperm,
        "OFPQOFC_EPERM",
        &[
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 1,
                max_version: 1,
                err_type: 5,
                code: 2,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 2,
                max_version: 6,
                err_type: 9,
                code: 2,
            },
        ],
    ),
    (
        OfpErr::NxqofcQueueError,
        "NXQOFC_QUEUE_ERROR",
        &[ErrorEncoding {
            vendor: 0x00002320,
            min_version: 5,
            max_version: 6,
            err_type: 65535,
            code: 23,
        }],
    ),
    (
        OfpErr::OfpscfcBadFlags,
        "OFPSCFC_BAD_FLAGS",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 2,
            max_version: 6,
            err_type: 10,
            code: 0,
        }],
    ),
    (
        OfpErr::OfpscfcBadLen,
        "OFPSCFC_BAD_LEN",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 2,
            max_version: 6,
            err_type: 10,
            code: 1,
        }],
    ),
    (
        OfpErr::OfpscfcEperm,
        "OFPSCFC_EPERM",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 3,
            max_version: 6,
            err_type: 10,
            code: 2,
        }],
    ),
    (
        OfpErr::OfprrfcStale,
        "OFPRRFC_STALE",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 3,
            max_version: 6,
            err_type: 11,
            code: 0,
        }],
    ),
    (
        OfpErr::OfprrfcUnsup,
        "OFPRRFC_UNSUP",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 3,
            max_version: 6,
            err_type: 11,
            code: 1,
        }],
    ),
    (
        OfpErr::OfprrfcBadRole,
        "OFPRRFC_BAD_ROLE",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 2,
                err_type: 1,
                code: 513,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 3,
                max_version: 6,
                err_type: 11,
                code: 2,
            },
        ],
    ),
    (
        OfpErr::OfprrfcIdUnsup,
        "OFPRRFC_ID_UNSUP",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 6,
            max_version: 6,
            err_type: 11,
            code: 3,
        }],
    ),
    (
        OfpErr::OfprrfcIdInUse,
        "OFPRRFC_ID_IN_USE",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 6,
            max_version: 6,
            err_type: 11,
            code: 4,
        }],
    ),
    (
        OfpErr::OfpmmfcUnknown,
        "OFPMMFC_UNKNOWN",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 4,
            max_version: 6,
            err_type: 12,
            code: 0,
        }],
    ),
    (
        OfpErr::OfpmmfcMeterExists,
        "OFPMMFC_METER_EXISTS",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 4,
            max_version: 6,
            err_type: 12,
            code: 1,
        }],
    ),
    (
        OfpErr::OfpmmfcInvalidMeter,
        "OFPMMFC_INVALID_METER",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 4,
            max_version: 6,
            err_type: 12,
            code: 2,
        }],
    ),
    (
        OfpErr::OfpmmfcUnknownMeter,
        "OFPMMFC_UNKNOWN_METER",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 4,
            max_version: 6,
            err_type: 12,
            code: 3,
        }],
    ),
    (
        OfpErr::OfpmmfcBadCommand,
        "OFPMMFC_BAD_COMMAND",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 4,
            max_version: 6,
            err_type: 12,
            code: 4,
        }],
    ),
    (
        OfpErr::OfpmmfcBadFlags,
        "OFPMMFC_BAD_FLAGS",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 4,
            max_version: 6,
            err_type: 12,
            code: 5,
        }],
    ),
    (
        OfpErr::OfpmmfcBadRate,
        "OFPMMFC_BAD_RATE",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 4,
            max_version: 6,
            err_type: 12,
            code: 6,
        }],
    ),
    (
        OfpErr::OfpmmfcBadBurst,
        "OFPMMFC_BAD_BURST",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 4,
            max_version: 6,
            err_type: 12,
            code: 7,
        }],
    ),
    (
        OfpErr::OfpmmfcBadBand,
        "OFPMMFC_BAD_BAND",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 4,
            max_version: 6,
            err_type: 12,
            code: 8,
        }],
    ),
    (
        OfpErr::OfpmmfcBadBandValue,
        "OFPMMFC_BAD_BAND_VALUE",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 4,
            max_version: 6,
            err_type: 12,
            code: 9,
        }],
    ),
    (
        OfpErr::OfpmmfcOutOfMeters,
        "OFPMMFC_OUT_OF_METERS",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 4,
            max_version: 6,
            err_type: 12,
            code: 10,
        }],
    ),
    (
        OfpErr::OfpmmfcOutOfBands,
        "OFPMMFC_OUT_OF_BANDS",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 4,
            max_version: 6,
            err_type: 12,
            code: 11,
        }],
    ),
    (
        OfpErr::OfptffcBadTable,
        "OFPTFFC_BAD_TABLE",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 4,
            max_version: 6,
            err_type: 13,
            code: 0,
        }],
    ),
    (
        OfpErr::OfptffcBadMetadata,
        "OFPTFFC_BAD_METADATA",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 4,
            max_version: 6,
            err_type: 13,
            code: 1,
        }],
    ),
    (
        OfpErr::OfptffcEperm,
        "OFPTFFC_EPERM",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 4,
            max_version: 6,
            err_type: 13,
            code: 5,
        }],
    ),
    (
        OfpErr::OfptffcBadCapa,
        "OFPTFFC_BAD_CAPA",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 6,
            max_version: 6,
            err_type: 13,
            code: 6,
        }],
    ),
    (
        OfpErr::OfptffcBadMaxEnt,
        "OFPTFFC_BAD_MAX_ENT",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 6,
            max_version: 6,
            err_type: 13,
            code: 7,
        }],
    ),
    (
        OfpErr::OfptffcBadFeatures,
        "OFPTFFC_BAD_FEATURES",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 6,
            max_version: 6,
            err_type: 13,
            code: 8,
        }],
    ),
    (
        OfpErr::OfptffcBadCommand,
        "OFPTFFC_BAD_COMMAND",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 6,
            max_version: 6,
            err_type: 13,
            code: 9,
        }],
    ),
    (
        OfpErr::OfptffcTooMany,
        "OFPTFFC_TOO_MANY",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 6,
            max_version: 6,
            err_type: 13,
            code: 10,
        }],
    ),
    (
        OfpErr::NxtffcDupTable,
        "NXTFFC_DUP_TABLE",
        &[ErrorEncoding {
            vendor: 0x00002320,
            min_version: 4,
            max_version: 6,
            err_type: 65535,
            code: 44,
        }],
    ),
    (
        OfpErr::OfpbpcBadType,
        "OFPBPC_BAD_TYPE",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 2,
                err_type: 13,
                code: 2,
            },
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 3,
                max_version: 3,
                err_type: 65535,
                code: 25,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 4,
                max_version: 4,
                err_type: 13,
                code: 2,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 5,
                max_version: 6,
                err_type: 14,
                code: 0,
            },
        ],
    ),
    (
        OfpErr::OfpbpcBadLen,
        "OFPBPC_BAD_LEN",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 2,
                err_type: 13,
                code: 3,
            },
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 3,
                max_version: 3,
                err_type: 65535,
                code: 26,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 4,
                max_version: 4,
                err_type: 13,
                code: 3,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 5,
                max_version: 6,
                err_type: 14,
                code: 1,
            },
        ],
    ),
    (
        OfpErr::OfpbpcBadValue,
        "OFPBPC_BAD_VALUE",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 2,
                err_type: 13,
                code: 4,
            },
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 3,
                max_version: 3,
                err_type: 65535,
                code: 27,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 4,
                max_version: 4,
                err_type: 13,
                code: 4,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 5,
                max_version: 6,
                err_type: 14,
                code: 2,
            },
        ],
    ),
    (
        OfpErr::OfpbpcTooMany,
        "OFPBPC_TOO_MANY",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 2,
                err_type: 14,
                code: 3,
            },
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 3,
                max_version: 3,
                err_type: 65535,
                code: 28,
            },
            ErrorEncoding {
                vendor: 0x4f4e4600,
                min_version: 4,
                max_version: 4,
                err_type: 65535,
                code: 4443,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 5,
                max_version: 6,
                err_type: 14,
                code: 3,
            },
        ],
    ),
    (
        OfpErr::OfpbpcDupType,
        "OFPBPC_DUP_TYPE",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 2,
                err_type: 14,
                code: 4,
            },
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 3,
                max_version: 3,
                err_type: 65535,
                code: 29,
            },
            ErrorEncoding {
                vendor: 0x4f4e4600,
                min_version: 4,
                max_version: 4,
                err_type: 65535,
                code: 4444,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 5,
                max_version: 6,
                err_type: 14,
                code: 4,
            },
        ],
    ),
    (
        OfpErr::OfpbpcBadExperimenter,
        "OFPBPC_BAD_EXPERIMENTER",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 2,
                err_type: 14,
                code: 5,
            },
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 3,
                max_version: 3,
                err_type: 65535,
                code: 30,
            },
            ErrorEncoding {
                vendor: 0x4f4e4600,
                min_version: 4,
                max_version: 4,
                err_type: 65535,
                code: 4445,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 5,
                max_version: 6,
                err_type: 14,
                code: 5,
            },
        ],
    ),
    (
        OfpErr::OfpbpcBadExpType,
        "OFPBPC_BAD_EXP_TYPE",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 2,
                err_type: 14,
                code: 6,
            },
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 3,
                max_version: 3,
                err_type: 65535,
                code: 31,
            },
            ErrorEncoding {
                vendor: 0x4f4e4600,
                min_version: 4,
                max_version: 4,
                err_type: 65535,
                code: 4446,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 5,
                max_version: 6,
                err_type: 14,
                code: 6,
            },
        ],
    ),
    (
        OfpErr::OfpbpcBadExpValue,
        "OFPBPC_BAD_EXP_VALUE",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 2,
                err_type: 14,
                code: 7,
            },
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 3,
                max_version: 3,
                err_type: 65535,
                code: 32,
            },
            ErrorEncoding {
                vendor: 0x4f4e4600,
                min_version: 4,
                max_version: 4,
                err_type: 65535,
                code: 4447,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 5,
                max_version: 6,
                err_type: 14,
                code: 7,
            },
        ],
    ),
    (
        OfpErr::OfpbpcEperm,
        "OFPBPC_EPERM",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 2,
                err_type: 14,
                code: 8,
            },
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 3,
                max_version: 3,
                err_type: 65535,
                code: 33,
            },
            ErrorEncoding {
                vendor: 0x4f4e4600,
                min_version: 4,
                max_version: 4,
                err_type: 65535,
                code: 4448,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 5,
                max_version: 6,
                err_type: 14,
                code: 8,
            },
        ],
    ),
    (
        OfpErr::OfpacfcInvalid,
        "OFPACFC_INVALID",
        &[
            ErrorEncoding {
                vendor: 0x4f4e4600,
                min_version: 4,
                max_version: 4,
                err_type: 65535,
                code: 2370,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 5,
                max_version: 6,
                err_type: 15,
                code: 0,
            },
        ],
    ),
    (
        OfpErr::OfpacfcUnsupported,
        "OFPACFC_UNSUPPORTED",
        &[
            ErrorEncoding {
                vendor: 0x4f4e4600,
                min_version: 4,
                max_version: 4,
                err_type: 65535,
                code: 2371,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 5,
                max_version: 6,
                err_type: 15,
                code: 1,
            },
        ],
    ),
    (
        OfpErr::OfpacfcEperm,
        "OFPACFC_EPERM",
        &[
            ErrorEncoding {
                vendor: 0x4f4e4600,
                min_version: 4,
                max_version: 4,
                err_type: 65535,
                code: 2372,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 5,
                max_version: 6,
                err_type: 15,
                code: 2,
            },
        ],
    ),
    (
        OfpErr::OfpbfcUnknown,
        "OFPBFC_UNKNOWN",
        &[
            ErrorEncoding {
                vendor: 0x4f4e4600,
                min_version: 4,
                max_version: 4,
                err_type: 65535,
                code: 2300,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 5,
                max_version: 6,
                err_type: 17,
                code: 0,
            },
        ],
    ),
    (
        OfpErr::OfpbfcEperm,
        "OFPBFC_EPERM",
        &[
            ErrorEncoding {
                vendor: 0x4f4e4600,
                min_version: 4,
                max_version: 4,
                err_type: 65535,
                code: 2301,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 5,
                max_version: 6,
                err_type: 17,
                code: 1,
            },
        ],
    ),
    (
        OfpErr::OfpbfcBadId,
        "OFPBFC_BAD_ID",
        &[
            ErrorEncoding {
                vendor: 0x4f4e4600,
                min_version: 4,
                max_version: 4,
                err_type: 65535,
                code: 2302,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 5,
                max_version: 6,
                err_type: 17,
                code: 2,
            },
        ],
    ),
    (
        OfpErr::OfpbfcBundleExist,
        "OFPBFC_BUNDLE_EXIST",
        &[
            ErrorEncoding {
                vendor: 0x4f4e4600,
                min_version: 4,
                max_version: 4,
                err_type: 65535,
                code: 2303,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 5,
                max_version: 6,
                err_type: 17,
                code: 3,
            },
        ],
    ),
    (
        OfpErr::OfpbfcBundleClosed,
        "OFPBFC_BUNDLE_CLOSED",
        &[
            ErrorEncoding {
                vendor: 0x4f4e4600,
                min_version: 4,
                max_version: 4,
                err_type: 65535,
                code: 2304,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 5,
                max_version: 6,
                err_type: 17,
                code: 4,
            },
        ],
    ),
    (
        OfpErr::OfpbfcOutOfBundles,
        "OFPBFC_OUT_OF_BUNDLES",
        &[
            ErrorEncoding {
                vendor: 0x4f4e4600,
                min_version: 4,
                max_version: 4,
                err_type: 65535,
                code: 2305,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 5,
                max_version: 6,
                err_type: 17,
                code: 5,
            },
        ],
    ),
    (
        OfpErr::OfpbfcBadType,
        "OFPBFC_BAD_TYPE",
        &[
            ErrorEncoding {
                vendor: 0x4f4e4600,
                min_version: 4,
                max_version: 4,
                err_type: 65535,
                code: 2306,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 5,
                max_version: 6,
                err_type: 17,
                code: 6,
            },
        ],
    ),
    (
        OfpErr::OfpbfcBadFlags,
        "OFPBFC_BAD_FLAGS",
        &[
            ErrorEncoding {
                vendor: 0x4f4e4600,
                min_version: 4,
                max_version: 4,
                err_type: 65535,
                code: 2307,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 5,
                max_version: 6,
                err_type: 17,
                code: 7,
            },
        ],
    ),
    (
        OfpErr::OfpbfcMsgBadLen,
        "OFPBFC_MSG_BAD_LEN",
        &[
            ErrorEncoding {
                vendor: 0x4f4e4600,
                min_version: 4,
                max_version: 4,
                err_type: 65535,
                code: 2308,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 5,
                max_version: 6,
                err_type: 17,
                code: 8,
            },
        ],
    ),
    (
        OfpErr::OfpbfcMsgBadXid,
        "OFPBFC_MSG_BAD_XID",
        &[
            ErrorEncoding {
                vendor: 0x4f4e4600,
                min_version: 4,
                max_version: 4,
                err_type: 65535,
                code: 2309,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 5,
                max_version: 6,
                err_type: 17,
                code: 9,
            },
        ],
    ),
    (
        OfpErr::OfpbfcMsgUnsup,
        "OFPBFC_MSG_UNSUP",
        &[
            ErrorEncoding {
                vendor: 0x4f4e4600,
                min_version: 4,
                max_version: 4,
                err_type: 65535,
                code: 2310,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 5,
                max_version: 6,
                err_type: 17,
                code: 10,
            },
        ],
    ),
    (
        OfpErr::OfpbfcMsgConflict,
        "OFPBFC_MSG_CONFLICT",
        &[
            ErrorEncoding {
                vendor: 0x4f4e4600,
                min_version: 4,
                max_version: 4,
                err_type: 65535,
                code: 2311,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 5,
                max_version: 6,
                err_type: 17,
                code: 11,
            },
        ],
    ),
    (
        OfpErr::OfpbfcMsgTooMany,
        "OFPBFC_MSG_TOO_MANY",
        &[
            ErrorEncoding {
                vendor: 0x4f4e4600,
                min_version: 4,
                max_version: 4,
                err_type: 65535,
                code: 2312,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 5,
                max_version: 6,
                err_type: 17,
                code: 12,
            },
        ],
    ),
    (
        OfpErr::OfpbfcMsgFailed,
        "OFPBFC_MSG_FAILED",
        &[
            ErrorEncoding {
                vendor: 0x4f4e4600,
                min_version: 4,
                max_version: 4,
                err_type: 65535,
                code: 2313,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 5,
                max_version: 6,
                err_type: 17,
                code: 13,
            },
        ],
    ),
    (
        OfpErr::OfpbfcTimeout,
        "OFPBFC_TIMEOUT",
        &[
            ErrorEncoding {
                vendor: 0x4f4e4600,
                min_version: 4,
                max_version: 4,
                err_type: 65535,
                code: 2314,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 5,
                max_version: 6,
                err_type: 17,
                code: 14,
            },
        ],
    ),
    (
        OfpErr::OfpbfcBundleInProgress,
        "OFPBFC_BUNDLE_IN_PROGRESS",
        &[
            ErrorEncoding {
                vendor: 0x4f4e4600,
                min_version: 4,
                max_version: 4,
                err_type: 65535,
                code: 2315,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 5,
                max_version: 6,
                err_type: 17,
                code: 15,
            },
        ],
    ),
    (
        OfpErr::OfpbfcSchedNotSupported,
        "OFPBFC_SCHED_NOT_SUPPORTED",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 6,
            max_version: 6,
            err_type: 17,
            code: 16,
        }],
    ),
    (
        OfpErr::OfpbfcSchedFuture,
        "OFPBFC_SCHED_FUTURE",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 6,
            max_version: 6,
            err_type: 17,
            code: 17,
        }],
    ),
    (
        OfpErr::OfpbfcSchedPast,
        "OFPBFC_SCHED_PAST",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 6,
            max_version: 6,
            err_type: 17,
            code: 18,
        }],
    ),
    (
        OfpErr::OfpbfcBadVersion,
        "OFPBFC_BAD_VERSION",
        &[ErrorEncoding {
            vendor: 0x00002320,
            min_version: 5,
            max_version: 6,
            err_type: 65535,
            code: 22,
        }],
    ),
    (
        OfpErr::OfpmofcUnknown,
        "OFPMOFC_UNKNOWN",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 5,
            max_version: 6,
            err_type: 16,
            code: 0,
        }],
    ),
    (
        OfpErr::OfpmofcMonitorExists,
        "OFPMOFC_MONITOR_EXISTS",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 2,
                err_type: 1,
                code: 517,
            },
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 3,
                max_version: 4,
                err_type: 65535,
                code: 6,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 5,
                max_version: 6,
                err_type: 16,
                code: 1,
            },
        ],
    ),
    (
        OfpErr::OfpmofcInvalidMonitor,
        "OFPMOFC_INVALID_MONITOR",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 5,
            max_version: 6,
            err_type: 16,
            code: 2,
        }],
    ),
    (
        OfpErr::OfpmofcUnknownMonitor,
        "OFPMOFC_UNKNOWN_MONITOR",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 2,
                err_type: 1,
                code: 519,
            },
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 3,
                max_version: 4,
                err_type: 65535,
                code: 8,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 5,
                max_version: 6,
                err_type: 16,
                code: 3,
            },
        ],
    ),
    (
        OfpErr::OfpmofcBadCommand,
        "OFPMOFC_BAD_COMMAND",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 5,
            max_version: 6,
            err_type: 16,
            code: 4,
        }],
    ),
    (
        OfpErr::OfpmofcBadFlags,
        "OFPMOFC_BAD_FLAGS",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 2,
                err_type: 1,
                code: 518,
            },
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 3,
                max_version: 4,
                err_type: 65535,
                code: 7,
            },
            ErrorEncoding {
                vendor: 0x00000000,
                min_version: 5,
                max_version: 6,
                err_type: 16,
                code: 5,
            },
        ],
    ),
    (
        OfpErr::OfpmofcBadTableId,
        "OFPMOFC_BAD_TABLE_ID",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 5,
            max_version: 6,
            err_type: 16,
            code: 6,
        }],
    ),
    (
        OfpErr::OfpmofcBadOut,
        "OFPMOFC_BAD_OUT",
        &[ErrorEncoding {
            vendor: 0x00000000,
            min_version: 5,
            max_version: 6,
            err_type: 16,
            code: 7,
        }],
    ),
    (
        OfpErr::NxttmfcBadCommand,
        "NXTTMFC_BAD_COMMAND",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 2,
                err_type: 1,
                code: 527,
            },
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 3,
                max_version: 6,
                err_type: 65535,
                code: 16,
            },
        ],
    ),
    (
        OfpErr::NxttmfcBadOptLen,
        "NXTTMFC_BAD_OPT_LEN",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 2,
                err_type: 1,
                code: 528,
            },
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 3,
                max_version: 6,
                err_type: 65535,
                code: 17,
            },
        ],
    ),
    (
        OfpErr::NxttmfcBadFieldIdx,
        "NXTTMFC_BAD_FIELD_IDX",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 2,
                err_type: 1,
                code: 529,
            },
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 3,
                max_version: 6,
                err_type: 65535,
                code: 18,
            },
        ],
    ),
    (
        OfpErr::NxttmfcTableFull,
        "NXTTMFC_TABLE_FULL",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 2,
                err_type: 1,
                code: 530,
            },
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 3,
                max_version: 6,
                err_type: 65535,
                code: 19,
            },
        ],
    ),
    (
        OfpErr::NxttmfcAlreadyMapped,
        "NXTTMFC_ALREADY_MAPPED",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 2,
                err_type: 1,
                code: 531,
            },
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 3,
                max_version: 6,
                err_type: 65535,
                code: 20,
            },
        ],
    ),
    (
        OfpErr::NxttmfcDupEntry,
        "NXTTMFC_DUP_ENTRY",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 2,
                err_type: 1,
                code: 532,
            },
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 3,
                max_version: 6,
                err_type: 65535,
                code: 21,
            },
        ],
    ),
    (
        OfpErr::NxttmfcInvalidTlvDel,
        "NXTTMFC_INVALID_TLV_DEL",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 2,
                err_type: 1,
                code: 537,
            },
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 3,
                max_version: 6,
                err_type: 65535,
                code: 38,
            },
        ],
    ),
    (
        OfpErr::NxrNotSupported,
        "NXR_NOT_SUPPORTED",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 2,
                err_type: 1,
                code: 533,
            },
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 3,
                max_version: 6,
                err_type: 65535,
                code: 34,
            },
        ],
    ),
    (
        OfpErr::NxrStale,
        "NXR_STALE",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 2,
                err_type: 1,
                code: 534,
            },
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 3,
                max_version: 6,
                err_type: 65535,
                code: 35,
            },
        ],
    ),
    (
        OfpErr::NxstNotConfigured,
        "NXST_NOT_CONFIGURED",
        &[
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 1,
                max_version: 2,
                err_type: 1,
                code: 535,
            },
            ErrorEncoding {
                vendor: 0x00002320,
                min_version: 3,
                max_version: 6,
                err_type: 65535,
                code: 36,
            },
        ],
    ),
];
