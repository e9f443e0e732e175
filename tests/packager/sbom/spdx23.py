# SPDX-License-Identifier: MIT
"""The rules of the SPDX 2.3 specification a JSON document must keep.

The official spdx-schema.json (spdx/spdx-spec v2.3) is in neither Debian nor
the npm registry, the only places this project installs from, so
validate_sbom.py checks these rules itself (clauses 6, 7, 10 and 11), licence
expressions with Debian's python3-license-expression against the SPDX licence
list, and applies the official schema too when it is given one.
"""
import re

SPDX_ID = re.compile(r'^SPDXRef-[A-Za-z0-9.\-]+$')
LICENSE_REF = re.compile(r'LicenseRef-[A-Za-z0-9.\-]+')
CREATED = re.compile(r'^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$')
CHECKSUM_LENGTHS = {'SHA1': 40, 'SHA224': 56, 'SHA256': 64, 'SHA384': 96, 'SHA512': 128,
                    'MD5': 32, 'BLAKE2b-256': 64, 'BLAKE2b-384': 96, 'BLAKE2b-512': 128,
                    'SHA3-256': 64, 'SHA3-384': 96, 'SHA3-512': 128}
RELATIONSHIPS = set("""
    DESCRIBES DESCRIBED_BY CONTAINS CONTAINED_BY DEPENDS_ON DEPENDENCY_OF DEPENDENCY_MANIFEST_OF
    BUILD_DEPENDENCY_OF DEV_DEPENDENCY_OF OPTIONAL_DEPENDENCY_OF PROVIDED_DEPENDENCY_OF
    TEST_DEPENDENCY_OF RUNTIME_DEPENDENCY_OF EXAMPLE_OF GENERATES GENERATED_FROM ANCESTOR_OF
    DESCENDANT_OF VARIANT_OF DISTRIBUTION_ARTIFACT PATCH_FOR PATCH_APPLIED COPY_OF FILE_ADDED
    FILE_DELETED FILE_MODIFIED EXPANDED_FROM_ARCHIVE DYNAMIC_LINK STATIC_LINK DATA_FILE_OF
    TEST_CASE_OF BUILD_TOOL_OF DEV_TOOL_OF TEST_OF TEST_TOOL_OF DOCUMENTATION_OF
    OPTIONAL_COMPONENT_OF METAFILE_OF PACKAGE_OF AMENDS PREREQUISITE_FOR HAS_PREREQUISITE
    REQUIREMENT_DESCRIPTION_FOR SPECIFICATION_FOR OTHER""".split())
PURPOSES = {'APPLICATION', 'FRAMEWORK', 'LIBRARY', 'CONTAINER', 'OPERATING-SYSTEM', 'DEVICE',
            'FIRMWARE', 'SOURCE', 'ARCHIVE', 'FILE', 'INSTALL', 'OTHER'}
REF_CATEGORIES = {'SECURITY', 'PACKAGE-MANAGER', 'PACKAGE_MANAGER', 'PERSISTENT-ID',
                  'PERSISTENT_ID', 'OTHER'}


def license_problems(expression, declared_refs, licensing):
    if expression in ('NONE', 'NOASSERTION'):
        return []
    for ref in LICENSE_REF.findall(expression):
        if ref not in declared_refs:
            return [f'{ref} is not in hasExtractedLicensingInfos']
    plain = LICENSE_REF.sub('MIT', expression)
    try:
        errors = licensing.validate(plain).errors
    except Exception as e:  # license_expression raises for some malformed input
        errors = [str(e)]
    return [f'"{expression}": {e}' for e in errors]


class Problems(list):
    def need(self, ok, where, what):
        if not ok:
            self.append(f'/{where}: {what}')


def check_document(doc, out):
    out.need(doc.get('spdxVersion') == 'SPDX-2.3', 'spdxVersion', 'must be "SPDX-2.3"')
    out.need(doc.get('dataLicense') == 'CC0-1.0', 'dataLicense', 'must be "CC0-1.0"')
    out.need(doc.get('SPDXID') == 'SPDXRef-DOCUMENT', 'SPDXID', 'must be "SPDXRef-DOCUMENT"')
    out.need(isinstance(doc.get('name'), str) and doc['name'], 'name', 'required')
    ns = doc.get('documentNamespace', '')
    out.need(isinstance(ns, str) and re.match(r'^[a-z][a-z0-9+.-]*://\S+$', ns) and '#' not in ns,
             'documentNamespace', 'an absolute URI without "#"')
    info = doc.get('creationInfo', {})
    out.need(CREATED.match(str(info.get('created', ''))), 'creationInfo/created',
             'YYYY-MM-DDThh:mm:ssZ')
    creators = info.get('creators', [])
    out.need(creators and all(re.match(r'^(Tool|Organization|Person): .+', c) for c in creators),
             'creationInfo/creators', '"Tool: ...", "Organization: ..." or "Person: ..." lines')


def check_package(p, at, ids, declared_refs, licensing, out):
    out.need(isinstance(p.get('name'), str) and p['name'], at + '/name', 'required')
    out.need(SPDX_ID.match(p.get('SPDXID', '')), at + '/SPDXID', 'SPDXRef-[A-Za-z0-9.-]+')
    out.need(p.get('SPDXID') not in ids, at + '/SPDXID', 'not unique')
    ids.add(p.get('SPDXID'))
    loc = p.get('downloadLocation')
    out.need(loc in ('NONE', 'NOASSERTION') or (isinstance(loc, str) and '://' in loc),
             at + '/downloadLocation', 'NONE, NOASSERTION or a location')
    analyzed = p.get('filesAnalyzed', True)
    out.need(analyzed is False or 'packageVerificationCode' in p, at + '/filesAnalyzed',
             'true (the default) needs a packageVerificationCode')
    out.need(analyzed is not False or 'packageVerificationCode' not in p,
             at + '/packageVerificationCode', 'must be absent when filesAnalyzed is false')
    if 'primaryPackagePurpose' in p:
        out.need(p['primaryPackagePurpose'] in PURPOSES, at + '/primaryPackagePurpose', 'unknown')
    for key in ('licenseConcluded', 'licenseDeclared'):
        if key in p:
            out.extend(f'/{at}/{key}: {e}'
                       for e in license_problems(p[key], declared_refs, licensing))
    for j, c in enumerate(p.get('checksums', [])):
        n = CHECKSUM_LENGTHS.get(c.get('algorithm'), 0)
        out.need(n and re.match(r'^[0-9a-f]{%d}$' % n, c.get('checksumValue', '')),
                 f'{at}/checksums/{j}', 'a known algorithm and a lower-case hex value of its length')
    for j, r in enumerate(p.get('externalRefs', [])):
        out.need(r.get('referenceCategory') in REF_CATEGORIES, f'{at}/externalRefs/{j}',
                 'unknown referenceCategory')
        locator = r.get('referenceLocator', '')
        out.need(r.get('referenceType') and locator and ' ' not in locator,
                 f'{at}/externalRefs/{j}', 'referenceType and a referenceLocator without spaces')
        if r.get('referenceType') == 'purl':
            out.need(re.match(r'^pkg:[a-z.+-]+/.+', locator), f'{at}/externalRefs/{j}',
                     'a purl (pkg:type/name)')


def problems(doc):
    from license_expression import get_spdx_licensing
    licensing = get_spdx_licensing()
    out = Problems()
    check_document(doc, out)
    declared_refs = set()
    for i, x in enumerate(doc.get('hasExtractedLicensingInfos', [])):
        out.need(re.match(r'^LicenseRef-[A-Za-z0-9.\-]+$', x.get('licenseId', '')),
                 f'hasExtractedLicensingInfos/{i}/licenseId', 'LicenseRef-[idstring]')
        out.need(isinstance(x.get('extractedText'), str) and x['extractedText'],
                 f'hasExtractedLicensingInfos/{i}/extractedText', 'required')
        declared_refs.add(x.get('licenseId'))
    ids = {'SPDXRef-DOCUMENT'}
    for i, p in enumerate(doc.get('packages', [])):
        check_package(p, f'packages/{i}', ids, declared_refs, licensing, out)
    relationships = doc.get('relationships', [])
    out.need(doc.get('documentDescribes') or any(
        r.get('relationshipType') == 'DESCRIBES' and r.get('spdxElementId') == 'SPDXRef-DOCUMENT'
        for r in relationships), 'relationships', 'the document DESCRIBES nothing')
    for i, r in enumerate(relationships):
        out.need(r.get('relationshipType') in RELATIONSHIPS, f'relationships/{i}/relationshipType',
                 'not an SPDX 2.3 relationship type')
        for key in ('spdxElementId', 'relatedSpdxElement'):
            v = str(r.get(key, ''))
            out.need(v in ids or v in ('NONE', 'NOASSERTION') or v.startswith('DocumentRef-'),
                     f'relationships/{i}/{key}', f'"{v}" is no element of the document')
    return out
