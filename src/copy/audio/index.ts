/** Audio CD rip: MusicBrainz disc id and lookup, cdparanoia + flac/lame, cue sheet, checksum manifests, optional ISO. */
export { runAudioRip, type AudioRipRequest } from './rip.js';
/** The MusicBrainz disc id of a TOC. */
export { musicbrainzDiscId } from './discid.js';
/** Album/track metadata and the cleaning of untrusted text. */
export { cleanText, type AlbumMetadata } from './metadata.js';
/** Audio tracks of a TOC, their PCM size (the "disc size" of an audio CD), cue positions. */
export { audioTracks, audioDiscBytes, audioRipSpaceBytes, msf } from './tracks.js';
/** File names and the cue sheet of a rip. */
export { albumFolderNames, trackFileName, cueSheet, type AudioFormat, type CueTrack } from './naming.js';
/** Tags and encoder command lines. */
/** cdparanoia command line and `-e` progress parsing. */
export { type Ripper } from './paranoia.js';
/** CD-TEXT titles via cd-info (libcdio-utils). */
export { readCdText, parseCdInfoCdText } from './cdtext.js';
