"""Identity providers through boto3 and the AWS CLI: OpenID Connect providers (client IDs,
thumbprints, tags) and SAML providers (metadata read, replaced, tags), with AWS's errors.
Called by session.py with its helpers."""
import json
import os
import subprocess

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "fixtures", "idp-metadata.xml")


def providers_flow(h, iam, account, aws, env):
    check, error_of = h.check, h.error_of
    thumb = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280"
    out = subprocess.run(aws + ["iam", "create-open-id-connect-provider", "--url", "https://token.actions.example.com",
                                "--client-id-list", "sts.amazonaws.com", "--thumbprint-list", thumb,
                                "--tags", "Key=team,Value=ci"], env=env, capture_output=True, text=True)
    check("aws iam create-open-id-connect-provider answers", out.returncode == 0, out.stderr[-1000:])
    arn = json.loads(out.stdout)["OpenIDConnectProviderArn"]
    check("the provider's ARN is the issuer without its scheme",
          arn == f"arn:aws:iam::{account}:oidc-provider/token.actions.example.com", arn)
    code, message = error_of(lambda: iam.create_open_id_connect_provider(
        Url="https://token.actions.example.com", ClientIDList=["x"]))
    check("a second provider for the issuer is EntityAlreadyExists", code == "EntityAlreadyExists"
          and message == "Provider with url https://token.actions.example.com already exists.", message)
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="web-app")
    iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="sts.amazonaws.com")
    iam.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=arn, ThumbprintList=[thumb.upper()])
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    check("GetOpenIDConnectProvider shows the URL, client IDs, thumbprints and tags",
          got["Url"] == "token.actions.example.com" and got["ClientIDList"] == ["web-app"]
          and got["ThumbprintList"] == [thumb.upper()] and got["Tags"] == [{"Key": "team", "Value": "ci"}], got)
    listed = iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]
    check("ListOpenIDConnectProviders lists the ARN", listed == [{"Arn": arn}], listed)
    iam.tag_open_id_connect_provider(OpenIDConnectProviderArn=arn, Tags=[{"Key": "env", "Value": "prod"}])
    iam.untag_open_id_connect_provider(OpenIDConnectProviderArn=arn, TagKeys=["team"])
    tags = iam.list_open_id_connect_provider_tags(OpenIDConnectProviderArn=arn)["Tags"]
    check("OIDC provider tags are tagged and untagged", tags == [{"Key": "env", "Value": "prod"}], tags)
    code, _ = error_of(lambda: iam.create_open_id_connect_provider(Url="http://plain.example.com", ClientIDList=["x"]))
    check("an http:// issuer is refused", code == "ValidationError", code)
    code, _ = error_of(lambda: iam.update_open_id_connect_provider_thumbprint(
        OpenIDConnectProviderArn=arn, ThumbprintList=["z" * 40]))
    check("a malformed thumbprint is refused", code == "ValidationError", code)
    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    code, message = error_of(lambda: iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn))
    check("a deleted provider is NoSuchEntity", code == "NoSuchEntity"
          and message == f"OpenIDConnect Provider not found for arn {arn}", message)

    metadata = open(FIXTURE).read()
    made = iam.create_saml_provider(Name="Example-IdP", SAMLMetadataDocument=metadata,
                                    Tags=[{"Key": "owner", "Value": "it"}])
    saml_arn = made["SAMLProviderArn"]
    check("CreateSAMLProvider answers the ARN and tags",
          saml_arn == f"arn:aws:iam::{account}:saml-provider/Example-IdP"
          and made["Tags"] == [{"Key": "owner", "Value": "it"}], made)
    got = iam.get_saml_provider(SAMLProviderArn=saml_arn)
    check("GetSAMLProvider returns the metadata as uploaded, with its dates",
          got["SAMLMetadataDocument"] == metadata and got["ValidUntil"] > got["CreateDate"], got)
    listed = iam.list_saml_providers()["SAMLProviderList"]
    check("ListSAMLProviders lists it with its validity", [p["Arn"] for p in listed] == [saml_arn], listed)
    code, message = error_of(lambda: iam.update_saml_provider(SAMLProviderArn=saml_arn,
                                                              SAMLMetadataDocument="<x/>" + " " * 1000))
    check("metadata that is not IdP metadata is InvalidInput", code == "InvalidInput"
          and message.startswith("Could not parse metadata"), message)
    check("the update changed nothing",
          iam.get_saml_provider(SAMLProviderArn=saml_arn)["SAMLMetadataDocument"] == metadata)
    updated = iam.update_saml_provider(SAMLProviderArn=saml_arn, SAMLMetadataDocument=metadata)
    check("UpdateSAMLProvider answers the ARN", updated["SAMLProviderArn"] == saml_arn, updated)
    tags = iam.list_saml_provider_tags(SAMLProviderArn=saml_arn)["Tags"]
    check("ListSAMLProviderTags lists its tags", tags == [{"Key": "owner", "Value": "it"}], tags)
    summary = iam.get_account_summary()["SummaryMap"]
    check("GetAccountSummary counts identity providers", summary["Providers"] == 1, summary)
    iam.delete_saml_provider(SAMLProviderArn=saml_arn)
    code, _ = error_of(lambda: iam.delete_saml_provider(SAMLProviderArn=saml_arn))
    check("a deleted SAML provider is NoSuchEntity", code == "NoSuchEntity", code)
