/** Folder trees the tests burn into images. */

const BDMT_ENG = `<?xml version="1.0" encoding="utf-8"?>
<disclib xmlns="urn:BDA:bdmv;disclib" xmlns:di="urn:BDA:bdmv;discinfo">
  <di:discinfo>
    <di:date>2024-01-01</di:date>
    <di:title><di:name>The Test Movie &amp; Friends</di:name><di:numSets>1</di:numSets></di:title>
    <di:language>eng</di:language>
  </di:discinfo>
</disclib>`;
const BDMT_FRA = BDMT_ENG.replace('The Test Movie &amp; Friends', 'Le Film d’Essai').replace('>eng<', '>fra<');

/** A minimal Blu-ray folder: BDMV with bdmt titles in English and French. */
export const BD_TREE: Record<string, string> = {
  'BDMV/index.bdmv': 'INDX0200',
  'BDMV/MovieObject.bdmv': 'MOBJ0200',
  'BDMV/PLAYLIST/00000.mpls': 'MPLS0200',
  'BDMV/CLIPINF/00000.clpi': 'HDMV0200',
  'BDMV/STREAM/00000.m2ts': 'G'.repeat(5000),
  'BDMV/META/DL/bdmt_fra.xml': BDMT_FRA,
  'BDMV/META/DL/bdmt_eng.xml': BDMT_ENG,
  'CERTIFICATE/id.bdmv': 'BDID0200',
};

