/** One HTTPS path on the public host, served by one in-cluster Service. */
export interface WebRoute {
    /** Short name, unique in the table. */
    name: string;
    /** Public path prefix without trailing slash, e.g. `/dicom-web`. */
    path: string;
    service: { name: string; port: number };
    /** Remove `path` before forwarding (the backend serves at its root). */
    stripPath: boolean;
}

/** One raw TCP entrypoint forwarded to a Service (TLS passes through untouched). */
export interface TcpRoute {
    name: string;
    entryPoint: string;
    service: { name: string; port: number };
}

export interface RouteTable {
    web: WebRoute[];
    tcp: TcpRoute[];
}

export interface RouteTableInput {
    orthanc: { service: string; httpPort: number; dicomPort: number };
    dicomEntryPoint: string;
}

/** Every public route of the platform. IngressRoutes and NetworkPolicies are derived from this one table. */
export function renderRouteTable(input: RouteTableInput): RouteTable {
    const orthancHttp = { name: input.orthanc.service, port: input.orthanc.httpPort };
    return {
        web: [
            // REST API and Orthanc Explorer; Orthanc serves them at its root.
            { name: "orthanc", path: "/orthanc", service: orthancHttp, stripPath: true },
            // DICOMweb keeps its path: the plugin's Root is /dicom-web/.
            { name: "dicom-web", path: "/dicom-web", service: orthancHttp, stripPath: false },
        ],
        tcp: [{ name: "orthanc-dicom", entryPoint: input.dicomEntryPoint, service: { name: input.orthanc.service, port: input.orthanc.dicomPort } }],
    };
}
