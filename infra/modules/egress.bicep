// Outbound restrictions for the Function App (issue 16, item 4): a virtual network whose one subnet the app
// integrates with (Flex Consumption: delegated to Microsoft.App/environments), and a network security group
// on it that refuses private, shared and link-local destinations and lets the Internet through. Partners'
// webhook URLs are checked in the code too (shared/webhooks: resolved, checked and connected to the checked
// address); this is the second line, for whatever the code's check misses. The app reaches Table storage,
// Web PubSub, Entra ID and Application Insights on their public endpoints, which stay allowed.
param name string
param location string
param tags object
@description('Address space of the virtual network; the subnet below is taken from it.')
param addressPrefix string = '10.90.0.0/16'
@description('The app\'s integration subnet, inside addressPrefix: it holds only the app\'s instances, one address each, so leave room for maximumInstanceCount.')
param subnetPrefix string = '10.90.0.0/24'

// Where the app must never connect: RFC 1918, carrier-grade NAT (RFC 6598), link-local (the instance
// metadata endpoints), loopback and "this network"; and the IPv6 unique-local and link-local ranges.
var deniedIpv4 = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16', '127.0.0.0/8', '0.0.0.0/8']
var deniedIpv6 = ['fc00::/7', 'fe80::/10']

resource nsg 'Microsoft.Network/networkSecurityGroups@2024-05-01' = {
  name: 'nsg-${name}'
  location: location
  tags: tags
  properties: {
    securityRules: [
      {
        // The app's own instances (the delegated subnet holds nothing else).
        name: 'allow-own-subnet'
        properties: {
          priority: 100
          direction: 'Outbound'
          access: 'Allow'
          protocol: '*'
          sourceAddressPrefix: '*'
          sourcePortRange: '*'
          destinationAddressPrefix: subnetPrefix
          destinationPortRange: '*'
        }
      }
      {
        // Azure's resolver (the platform's virtual IP), which the instances use for DNS.
        name: 'allow-azure-dns'
        properties: {
          priority: 110
          direction: 'Outbound'
          access: 'Allow'
          protocol: '*'
          sourceAddressPrefix: '*'
          sourcePortRange: '*'
          destinationAddressPrefix: '168.63.129.16'
          destinationPortRange: '53'
        }
      }
      {
        name: 'deny-private-ipv4'
        properties: {
          priority: 200
          direction: 'Outbound'
          access: 'Deny'
          protocol: '*'
          sourceAddressPrefix: '*'
          sourcePortRange: '*'
          destinationAddressPrefixes: deniedIpv4
          destinationPortRange: '*'
        }
      }
      {
        name: 'deny-private-ipv6'
        properties: {
          priority: 210
          direction: 'Outbound'
          access: 'Deny'
          protocol: '*'
          sourceAddressPrefix: '*'
          sourcePortRange: '*'
          destinationAddressPrefixes: deniedIpv6
          destinationPortRange: '*'
        }
      }
      {
        // Peered networks and gateways, whatever their addresses (the default AllowVnetOutBound would let them).
        name: 'deny-virtual-network'
        properties: {
          priority: 220
          direction: 'Outbound'
          access: 'Deny'
          protocol: '*'
          sourceAddressPrefix: '*'
          sourcePortRange: '*'
          destinationAddressPrefix: 'VirtualNetwork'
          destinationPortRange: '*'
        }
      }
      {
        name: 'allow-internet'
        properties: {
          priority: 300
          direction: 'Outbound'
          access: 'Allow'
          protocol: '*'
          sourceAddressPrefix: '*'
          sourcePortRange: '*'
          destinationAddressPrefix: 'Internet'
          destinationPortRange: '*'
        }
      }
    ]
  }
}

resource vnet 'Microsoft.Network/virtualNetworks@2024-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    addressSpace: { addressPrefixes: [addressPrefix] }
    subnets: [
      {
        name: 'app'
        properties: {
          addressPrefix: subnetPrefix
          networkSecurityGroup: { id: nsg.id }
          delegations: [
            {
              name: 'flex-consumption'
              properties: { serviceName: 'Microsoft.App/environments' }
            }
          ]
        }
      }
    ]
  }
}

output subnetId string = vnet.properties.subnets[0].id
output nsgName string = nsg.name
