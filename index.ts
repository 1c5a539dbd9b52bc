import * as pulumi from "@pulumi/pulumi";
import { Platform, readStackConfig } from "pacstack";

// Validation throws before any resource is registered when a setting is wrong.
const platform = new Platform("pacstack", { config: readStackConfig() });

export const webUrl = platform.webUrl;
export const dicomEndpoint = platform.dicomEndpoint;
export const caCertificate = platform.caCertificatePem;
export const adminUsername = platform.adminUsername;
export const adminPassword = pulumi.secret(platform.adminPassword);
export const modalityCredentials = pulumi.secret(platform.modalityCredentials);
